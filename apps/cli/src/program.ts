import { Command, CommanderError } from 'commander';
import { describeError, ExitCode } from './errors';
import { ensureEngine, type Importer } from './optional-packages';
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

/**
 * The engines a command was asked for (`--engine`, `--engines`), checked before it runs: a `tfjs-*`
 * engine without TensorFlow.js installed is refused before any data is loaded. `load` is the
 * importer of the optional packages (tests pass one that fails).
 */
async function checkRequestedEngines(command: Command, load?: Importer): Promise<void> {
  const { engine, engines } = command.opts() as { engine?: unknown; engines?: unknown };
  if (typeof engine === 'string') await ensureEngine(engine, load);
  for (const name of Array.isArray(engines) ? engines : [])
    await ensureEngine(String(name), load, '--engines');
}

/** Builds the `gruvision` command tree, writing through `io`. */
export function createProgram(
  io: Io,
  commands: readonly RegisterCommand[] = [],
  setExitCode: (code: number) => void = () => {},
  load?: Importer,
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
    .exitOverride()
    .hook('preAction', (_program, actionCommand) => checkRequestedEngines(actionCommand, load));
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
  load?: Importer,
): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = createProgram(
    io,
    commands,
    (code) => {
      exitCode = code;
    },
    load,
  );
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
