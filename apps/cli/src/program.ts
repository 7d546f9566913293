import { Command, CommanderError } from 'commander';
import { describeError, ExitCode } from './errors';
import type { Io } from './ui/io';
import { cliVersion } from './version';

/** What every command gets: where to write, and whether to show stack traces. */
export interface CommandContext {
  readonly io: Io;
  readonly debug: () => boolean;
  /** Ends the command with this exit code instead of 0 (e.g. 130 after Ctrl-C), without an error. */
  setExitCode(code: number): void;
}

/** A command module registers one sub-command on the program. */
export type RegisterCommand = (program: Command, context: CommandContext) => void;

/** Builds the `gruvision` command tree, writing through `io`. */
export function createProgram(
  io: Io,
  commands: readonly RegisterCommand[] = [],
  setExitCode: (code: number) => void = () => {},
): Command {
  const program = new Command('gruvision')
    .description(
      'Train, evaluate and run GRU image classifiers — images read row by row by a gated recurrent unit.',
    )
    .version(cliVersion, '-v, --version', 'print the gruvision version')
    .option('--debug', 'show stack traces for errors')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .exitOverride();
  const context: CommandContext = { io, debug: () => Boolean(program.opts().debug), setExitCode };
  for (const register of commands) register(program, context);
  program.commands.forEach((c) => {
    c.exitOverride();
  });
  return program;
}

/** Runs the CLI and returns its exit code; never throws. */
export async function run(
  argv: readonly string[],
  io: Io,
  commands: readonly RegisterCommand[],
): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = createProgram(io, commands, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed its message (usage errors) or the help / version text.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return ExitCode.ok;
      if (error.code === 'commander.help') return ExitCode.ok;
      if (error.code === 'commander.executeSubCommandAsync') return error.exitCode;
      return ExitCode.usageError;
    }
    const debug = argv.includes('--debug');
    const { text, exitCode } = describeError(error, debug);
    io.stderr.write(`${text}\n`);
    return exitCode;
  }
}
