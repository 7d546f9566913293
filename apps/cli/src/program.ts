import { Command } from 'commander';
import { cliVersion } from './version';

/** Builds the `gruvision` command tree. */
export function createProgram(): Command {
  const program = new Command('gruvision')
    .description('Train, evaluate and run GRU image classifiers.')
    .version(cliVersion, '-v, --version', 'print the gruvision version')
    .option('--debug', 'show stack traces for errors')
    .showHelpAfterError('(run with --help for usage)');
  return program;
}
