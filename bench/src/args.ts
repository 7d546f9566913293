/** The number after `--name` on the command line (`args`, default the process's), or `fallback`. */
export function numberArg(name: string, fallback: number, args = process.argv.slice(2)): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}
