/**
 * How the user started this command, so hints can show a command line that works where they are:
 * `pnpm gruvision` / `pnpm exec gruvision` in this repository (or a project that installed the CLI),
 * `npx gruvision`, or plain `gruvision` when it is on the PATH.
 */
export function invocation(
  env: Readonly<Record<string, string | undefined>> = process.env,
  script: string = process.argv[1] ?? '',
): string {
  // Started through a package manager's bin link (node_modules/.bin → node_modules/@gruvision/cli/…)?
  // A test or a user running `node …/dist/bin.js` inherits the npm_* variables of whatever ran it.
  const viaPackageManager = /node_modules[\\/](\.bin|@gruvision[\\/]cli)[\\/]/.test(script);
  if (!viaPackageManager) return 'gruvision';
  const agent = env.npm_config_user_agent ?? '';
  if (agent.startsWith('pnpm/'))
    return env.npm_command === 'run-script' ? 'pnpm gruvision' : 'pnpm exec gruvision';
  if (agent.startsWith('npm/') && env.npm_command === 'exec') return 'npx gruvision';
  if (agent.startsWith('yarn/')) return 'yarn gruvision';
  return 'gruvision';
}

/** `arg` as a POSIX shell word: unchanged when safe, else single-quoted. */
export function quoteArg(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
