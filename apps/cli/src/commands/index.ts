import type { RegisterCommand } from '../program';
import { registerTrain } from './train';

/** Every sub-command of `gruvision`, in the order `--help` lists them. */
export const commands: readonly RegisterCommand[] = [registerTrain];
