import type { RegisterCommand } from '../program';

/** Every sub-command of `gruvision`, in the order `--help` lists them. */
export const commands: readonly RegisterCommand[] = [];
