import { availableParallelism } from 'node:os';
import {
  type ArtifactLimits,
  ENGINE_NAMES,
  type EngineName,
  type EngineOption,
  type GruClassifier,
} from '@gruvision/classifier';
import { loadClassifier } from '@gruvision/classifier/node';
import {
  DEFAULT_MAX_PIXELS,
  GruDataError,
  type ImageSet,
  type InputLimits,
  type LoadedDataset,
  loadDataset,
  stratifiedSplitIndices,
  subset,
} from '@gruvision/data/node';
import type { CellType } from '@gruvision/math';
import { parallelMathEngine } from '@gruvision/math/node';
import { type Command, InvalidArgumentError } from 'commander';
import { CliError, ExitCode, UsageError } from '../errors';
import { addModelLimitOptions } from '../model-limits';
import { ensureDataset, ensureEngine } from '../optional-packages';
import { byteSize, choice, positiveInt } from '../options';
import { formatCount, formatDuration } from '../ui/format';
import type { Output } from '../ui/io';

export const DATASET_HELP =
  "mnist | fashion-mnist (a seeded split, not the official one) | fashion-mnist:<dir> (Zalando's official IDX files; " +
  'apt install dataset-fashion-mnist, then fashion-mnist:/usr/share/datasets/fashion-mnist) | ' +
  'idx:<dir> | cifar10:<dir> | cifar100:<dir> | folder:<dir>';

/** Cell names as the CLI spells them (`mingru`, `minlstm`: Feng et al. 2024's minimal cells). */
export const CLI_CELLS = ['gru', 'lstm', 'rnn', 'mingru', 'minlstm'] as const;
export type CliCell = (typeof CLI_CELLS)[number];

export function toCellType(cell: CliCell): CellType {
  return cell === 'rnn' ? 'simpleRnn' : cell;
}

/** The engines that run in Node; the other `ENGINE_NAMES` (tfjs-webgl, tfjs-webgpu) need a browser. */
export const NODE_ENGINES = ['math', 'tfjs-cpu', 'tfjs-wasm'] as const satisfies readonly EngineName[];

/** Parses `--engine`, refusing browser-only engines at once (before any data is loaded). */
export function engineChoice(value: string): EngineName {
  if (
    (ENGINE_NAMES as readonly string[]).includes(value) &&
    !(NODE_ENGINES as readonly string[]).includes(value)
  ) {
    throw new InvalidArgumentError(
      `${value} runs only in a browser (the web demo); in Node use ${NODE_ENGINES.join(', ')}.`,
    );
  }
  return choice(NODE_ENGINES)(value);
}

/** `--engine` as every command that runs a model offers it. */
export function addEngineOption(command: Command): Command {
  return command.option('--engine <name>', NODE_ENGINES.join(' | '), engineChoice, 'math');
}

/** Worker threads the math engine trains on when `--threads` is not given: the cores, at most 4. */
export const DEFAULT_THREADS = Math.max(1, Math.min(4, availableParallelism()));

/** `--threads` for commands that train. */
export function addThreadsOption(command: Command): Command {
  return command.option(
    '--threads <n>',
    `worker threads for the math engine (data-parallel training; default: the cores, at most 4 — here ${DEFAULT_THREADS})`,
    positiveInt,
  );
}

/** `--threads` as given, else the default for the engine (tfjs engines run on one thread). */
export function threadsFor(engine: EngineName, threads: number | undefined): number {
  return threads ?? (engine === 'math' ? DEFAULT_THREADS : 1);
}

/**
 * The engine to build models on: `--engine math --threads N` (N > 1) trains over N worker threads.
 * A `tfjs-*` engine whose TensorFlow.js packages are not installed is a {@link MissingPackageError}.
 */
export async function engineFor(name: EngineName, threads: number): Promise<EngineOption> {
  await ensureEngine(name);
  if (threads <= 1) return name;
  if (name !== 'math') {
    throw new UsageError(
      `--threads ${threads} only applies to --engine math (got --engine ${name}); drop --threads.`,
    );
  }
  return parallelMathEngine({ threads });
}

/**
 * The options of the commands that read a model and pictures (eval, explain, predict): `--engine`,
 * `--max-pixels`, `--max-input-size` and `--json`, then the help's examples (and what follows them).
 */
export function addModelReaderOptions(command: Command, examples: string): Command {
  addEngineOption(command);
  addInputLimitOptions(command);
  addJsonOption(command);
  return command.addHelpText('after', `\nExamples:\n${examples}`);
}

/** Adds `--json` with the wording every command uses. */
export function addJsonOption(command: Command): Command {
  return command.option('--json', 'print one JSON document on stdout (no other output there)');
}

/**
 * `--max-pixels` and `--max-input-size` for commands that read images or datasets: inputs small on
 * disk can be huge to process, so their declared sizes are checked before anything is decoded. With
 * them, the model size limits (`--max-units`, `--max-layers`, …: see `model-limits.ts`).
 */
export function addInputLimitOptions(command: Command): Command {
  addModelLimitOptions(command);
  return command
    .option(
      '--max-pixels <n>',
      `largest image to decode, in pixels (width × height, read from the file's header before decoding; ` +
        `default ${DEFAULT_MAX_PIXELS} = 50 megapixels). Raise it for bigger images you trust`,
      positiveInt,
    )
    .option(
      '--max-input-size <size>',
      'largest file, decompressed IDX/CIFAR data or dataset pixel buffer to accept ' +
        '(default 1GiB; e.g. 512MiB, 4GiB). Raise it for bigger datasets you trust',
      byteSize,
    );
}

/** The limits `--max-pixels` and `--max-input-size` set (library defaults for those not given). */
export function inputLimitsFrom(raw: Record<string, unknown>): InputLimits {
  return {
    ...(raw.maxPixels !== undefined ? { maxPixels: raw.maxPixels as number } : {}),
    ...(raw.maxInputSize !== undefined ? { maxBytes: raw.maxInputSize as number } : {}),
  };
}

/** Loads a dataset spec, logging what was loaded and how long it took. */
export async function loadData(
  spec: string,
  output: Output,
  options: {
    seed?: number;
    limit?: number;
    testLimit?: number;
    inputLimits?: InputLimits;
    /** `--skip-invalid`: a folder dataset skips unreadable files (each logged) instead of failing. */
    skipInvalid?: boolean;
  } = {},
): Promise<LoadedDataset> {
  if (spec.trim() === '') throw new UsageError(`--dataset needs a value: ${DATASET_HELP}.`);
  ensureDataset(spec);
  const start = performance.now();
  const data = await loadDataset(spec, {
    seed: options.seed ?? 0,
    ...options.inputLimits,
    ...(options.skipInvalid ? { skipInvalid: true } : {}),
  }).catch((error: unknown) => {
    if (
      spec.startsWith('folder:') &&
      GruDataError.isInstance(error) &&
      (error.code === 'UNSUPPORTED_FORMAT' || error.code === 'DECODE_FAILED')
    ) {
      throw new CliError(
        `${error.message} Or pass --skip-invalid to skip such files (they are listed).`,
        ExitCode.userError,
        {
          cause: error,
        },
      );
    }
    throw error;
  });
  let { train, test } = data;
  if (options.limit !== undefined && options.limit < train.count)
    train = stratifiedSubset(train, options.limit, options.seed ?? 0);
  if (options.testLimit !== undefined && options.testLimit < test.count) {
    test = stratifiedSubset(test, options.testLimit, options.seed ?? 0);
  }
  output.log(
    `dataset ${spec}: ${formatCount(train.count)} training and ${formatCount(test.count)} test images, ` +
      `${train.height}×${train.width}×${train.channels}, ${train.classNames.length} classes ` +
      `(${formatDuration((performance.now() - start) / 1000)})`,
  );
  output.log(`test set: ${data.splitNote}`);
  for (const s of data.skipped) output.log(`skipped ${s.file}: ${s.reason}`);
  return { ...data, train, test };
}

/** A seeded subset of `count` images with the class proportions of `set`. */
export function stratifiedSubset(set: ImageSet, count: number, seed: number): ImageSet {
  if (count >= set.count) return set;
  const { validationIndices } = stratifiedSplitIndices(set, { count, seed });
  return subset(set, validationIndices);
}

/** Opens a saved model directory on an engine, with the model size limits of the flags (`modelLimitsFrom`). */
export async function openModel(
  dir: string,
  engine: EngineName,
  limits: ArtifactLimits = {},
): Promise<GruClassifier> {
  await ensureEngine(engine);
  return loadClassifier(dir, { engine, limits });
}

export const limitOption = positiveInt;
