import type { RegisterCommand } from '../program';
import { registerBench } from './bench';
import { registerCompare } from './compare';
import { registerEval } from './eval';
import { registerExplain } from './explain';
import { registerExport } from './export';
import { registerExportData } from './export-data';
import { registerImport } from './import';
import { registerInspect } from './inspect';
import { registerPredict } from './predict';
import { registerSweep } from './sweep';
import { registerTrain } from './train';

/** Every sub-command of `gruvision`, in the order `--help` lists them. */
export const commands: readonly RegisterCommand[] = [
  registerTrain,
  registerEval,
  registerPredict,
  registerExplain,
  registerInspect,
  registerExport,
  registerImport,
  registerExportData,
  registerCompare,
  registerSweep,
  registerBench,
];
