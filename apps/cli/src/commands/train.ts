import { randomBytes } from 'node:crypto';
import { readdir, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  type Checkpoint,
  type EngineName,
  type FitOptions,
  GruClassifier,
  type ModelLimits,
} from '@gruvision/classifier';
import {
  checkpointDirectory,
  loadCheckpoint,
  loadClassifier,
  saveClassifier,
  writeFileAtomic,
} from '@gruvision/classifier/node';
import type { InputLimits, SequenceView } from '@gruvision/data';
import { InvalidArgumentError } from 'commander';
import { CliError, ExitCode, UsageError } from '../errors';
import { invocation, quoteArg } from '../invocation';
import { modelLimitsFrom } from '../model-limits';
import { choice, fraction, nonNegativeInt, positiveInt } from '../options';
import type { RegisterCommand } from '../program';
import { reportPaths, trainingReportFiles } from '../report/training-report';
import { formatDuration, formatPercent, plural } from '../ui/format';
import { Output } from '../ui/io';
import { progressCallbacks, TrainingProgress } from '../ui/progress';
import { applyPreset, PRESET_HELP, PRESET_NAMES, type PresetName } from './presets';
import {
  CLI_CELLS,
  type CliCell,
  DATASET_HELP,
  engineFor,
  inputLimitsFrom,
  loadData,
  threadsFor,
  toCellType,
} from './shared';
import {
  addTrainingRunOptions,
  fitOptionsFrom,
  fitSettingsFrom,
  flag,
  RUN_OPTIONS,
  readSettings,
  SETTINGS_FILE,
  slug,
  TRAIN_DEFAULTS,
  type TrainSettings,
  VIEWS,
} from './train-settings';
import {
  createOptionsFor,
  refuseTrainingFlagsOnResume,
  trainingFlagsFrom,
  viewFlags,
} from './training-flags';

export { SETTINGS_FILE, TRAIN_DEFAULTS, type TrainSettings } from './train-settings';

/** The folder of `<out>.checkpoints` holding the best epoch's model with `--keep-best`. */
export const BEST_DIR = 'best';

/** A new run owns `<out>.checkpoints`: an earlier run's folder is moved aside whole, never mixed in. */
async function claimCheckpointDirectory(dir: string, output: Output): Promise<void> {
  const entries = await readdir(dir).catch(() => undefined);
  if (entries === undefined) return;
  if (entries.length === 0) {
    await rm(dir, { recursive: true, force: true });
    return;
  }
  if (!entries.includes(SETTINGS_FILE) && !entries.some((n) => /^epoch-\d{4,}$/.test(n))) {
    throw new CliError(
      `${dir} exists and is not a gruvision checkpoint directory; nothing was changed. Choose another --out or move it away.`,
    );
  }
  const previous = `${dir}.previous`;
  await rm(previous, { recursive: true, force: true });
  await rename(dir, previous);
  output.log(`moved the checkpoints of the earlier run in ${dir} to ${previous}`);
}
/** `--checkpoint-every`: a whole number of batches (`500`), or seconds / minutes (`90s`, `5m`). */
export function checkpointEvery(value: string): NonNullable<FitOptions['checkpointEvery']> {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(s|m)?\s*$/.exec(value);
  const n = match ? Number(match[1]) : Number.NaN;
  if (match && match[2] === undefined && Number.isSafeInteger(n) && n >= 1) return { batches: n };
  if (match && match[2] !== undefined && n > 0) return { seconds: match[2] === 'm' ? n * 60 : n };
  throw new InvalidArgumentError(`expected a number of batches (500) or a time (90s, 5m), got "${value}".`);
}

export const registerTrain: RegisterCommand = (program, context) => {
  const command = program
    .command('train')
    .description(
      'train a GRU image classifier, print its test accuracy and save it (default: GRU-128 on MNIST rows)',
    )
    .option('--dataset <spec>', DATASET_HELP, TRAIN_DEFAULTS.dataset)
    .option(
      '--preset <name>',
      'a documented recipe for the best accuracy: best (see below; explicit flags override it)',
      choice(PRESET_NAMES),
    )
    .option(
      '--view <mode>',
      'how an image becomes a sequence: rows | columns | pixels | patches',
      choice(VIEWS),
      'rows',
    )
    .option('--patch-size <n>', 'tile size of the patches view', positiveInt, 4)
    .option(
      '--cell <cell>',
      'recurrent cell: gru | lstm | rnn | mingru | minlstm (Feng et al. 2024)',
      choice(CLI_CELLS),
      'gru',
    )
    .option('--units <n>', 'hidden units per layer', positiveInt, TRAIN_DEFAULTS.units)
    .option('--layers <n>', 'stacked recurrent layers', positiveInt, TRAIN_DEFAULTS.layers)
    .option('--bidirectional', 'read each sequence forwards and backwards')
    .option('--reset-after', 'GRU with the reset gate after the recurrent product (Keras 3 / PyTorch style)')
    .option('--epochs <n>', 'passes over the training set', positiveInt, TRAIN_DEFAULTS.epochs)
    .option('--seed <n>', 'seed of initialization, shuffling and splits', nonNegativeInt, TRAIN_DEFAULTS.seed)
    .option(
      '--validation <fraction>',
      'share of the training set held out for validation (0: none)',
      fraction,
      0.05,
    )
    .option('--limit <n>', 'train on a stratified subset of n images', positiveInt)
    .option('--test-limit <n>', 'test on a stratified subset of n images', positiveInt)
    .option('--out <dir>', 'model directory to write (default: models/<dataset>-<cell><units>)')
    .option('--resume <checkpoints>', 'continue an interrupted run from its <out>.checkpoints directory')
    .option(
      '--checkpoint-every <n|time>',
      'also save a checkpoint within epochs: every n batches (500) or every so often (90s, 5m)',
      checkpointEvery,
    );
  addTrainingRunOptions(command);
  command.addHelpText(
    'after',
    `
Examples:
  $ gruvision train                                   # GRU-128 on MNIST rows, prints test accuracy
  $ gruvision train --dataset fashion-mnist --epochs 10
  $ gruvision train --cell lstm --units 64 --limit 5000 --epochs 2 --out models/quick
  $ gruvision train --dataset folder:./my-images --view rows --json
  $ gruvision train --resume models/mnist-gru128.checkpoints
  $ gruvision train --preset best                     # the accuracy recipe below
  $ gruvision train --dataset fashion-mnist:/usr/share/datasets/fashion-mnist --preset best   # official files: apt install dataset-fashion-mnist
${PRESET_HELP}

Writes <out>/model.json + weights.bin (TensorFlow.js layers-model format), report.html,
curves.svg and confusion.svg; checkpoints go to <out>.checkpoints/ after every epoch.`,
  );
  command.action(async (raw: Record<string, unknown>) => {
    const output = new Output(context.io, Boolean(raw.json));
    let settings: TrainSettings;
    let resumeFrom: Checkpoint | undefined;
    let checkpointsDir: string;
    if (typeof raw.resume === 'string') {
      const found = await readSettings(resolve(raw.resume));
      settings = found.settings;
      refuseTrainingFlagsOnResume(command);
      if (command.getOptionValueSource('preset') === 'cli') {
        throw new UsageError(
          '--preset cannot be given with --resume: the run keeps the settings it started with. Drop --preset.',
        );
      }
      // Options that define the run cannot change on resume: refuse rather than silently ignore them.
      for (const [option, key] of RUN_OPTIONS) {
        if (command.getOptionValueSource(option) !== 'cli') continue;
        const given = option === 'out' ? resolve(raw.out as string) : raw[option];
        const kept = settings[key];
        if (
          JSON.stringify(given) !== JSON.stringify(kept ?? (typeof given === 'boolean' ? false : undefined))
        ) {
          throw new UsageError(
            `${flag(option)} ${String(raw[option])} conflicts with the run being resumed (${key} ${kept === undefined ? 'not set' : JSON.stringify(kept)}). ` +
              `--resume keeps the run's settings: drop ${flag(option)}, or start a new run with another --out.`,
          );
        }
      }
      if (command.getOptionValueSource('epochs') === 'cli')
        settings = { ...settings, epochs: raw.epochs as number };
      if (
        command.getOptionValueSource('engine') === 'cli' ||
        command.getOptionValueSource('threads') === 'cli'
      ) {
        const engine = raw.engine as EngineName;
        settings = { ...settings, engine, threads: threadsFor(engine, raw.threads as number | undefined) };
      }
      checkpointsDir = found.dir;
      resumeFrom = await loadCheckpoint(resolve(raw.resume), {
        ...(settings.runId !== undefined ? { runId: settings.runId } : {}),
      });
      const within = resumeFrom.state.partial;
      output.log(
        `resuming ${settings.out} after epoch ${resumeFrom.epoch}${within ? `, batch ${within.batches} of epoch ${resumeFrom.epoch + 1}` : ''} of ${settings.epochs}`,
      );
    } else {
      const preset = applyPreset(command, raw);
      if (preset.length > 0) output.log(`--preset ${String(raw.preset)} sets ${preset.map(flag).join(', ')}`);
      const cell = raw.cell as CliCell;
      const units = raw.units as number;
      const dataset = raw.dataset as string;
      settings = {
        dataset,
        view: raw.view as TrainSettings['view'],
        patchSize: raw.patchSize as number,
        cell,
        units,
        layers: raw.layers as number,
        bidirectional: Boolean(raw.bidirectional),
        resetAfter: Boolean(raw.resetAfter),
        ...fitSettingsFrom(raw, raw.epochs as number, trainingFlagsFrom(raw, cell)),
        seed: raw.seed as number,
        validation: raw.validation as number,
        ...(raw.limit !== undefined ? { limit: raw.limit as number } : {}),
        ...(raw.testLimit !== undefined ? { testLimit: raw.testLimit as number } : {}),
        engine: raw.engine as EngineName,
        threads: threadsFor(raw.engine as EngineName, raw.threads as number | undefined),
        out: resolve((raw.out as string | undefined) ?? join('models', `${slug(dataset)}-${cell}${units}`)),
        ...(raw.preset !== undefined ? { preset: raw.preset as PresetName } : {}),
        runId: `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`,
      };
      if (settings.resetAfter && settings.cell !== 'gru') {
        throw new UsageError('--reset-after only applies to --cell gru.');
      }
      if (settings.training?.keepBest !== undefined && settings.validation === 0) {
        throw new UsageError(
          '--keep-best chooses the best epoch on the validation share: give --validation a share above 0 (e.g. 0.05).',
        );
      }
      checkpointsDir = `${settings.out}.checkpoints`;
    }
    const every = raw.checkpointEvery as FitOptions['checkpointEvery'];
    const result = await train(
      settings,
      checkpointsDir,
      resumeFrom,
      output,
      inputLimitsFrom(raw),
      modelLimitsFrom(raw),
      every,
    );
    if (result === 'aborted') context.setExitCode(ExitCode.interrupted);
  });
};

async function train(
  settings: TrainSettings,
  checkpointsDir: string,
  resumeFrom: Checkpoint | undefined,
  output: Output,
  inputLimits: InputLimits,
  modelLimits: ModelLimits,
  checkpointEveryOption?: FitOptions['checkpointEvery'],
): Promise<'done' | 'aborted'> {
  const {
    train: trainSet,
    test,
    split,
    splitNote,
    skipped,
  } = await loadData(settings.dataset, output, {
    seed: settings.seed,
    inputLimits,
    ...(settings.training?.skipInvalid ? { skipInvalid: true } : {}),
    ...(settings.limit !== undefined ? { limit: settings.limit } : {}),
    ...(settings.testLimit !== undefined ? { testLimit: settings.testLimit } : {}),
  });
  const view: SequenceView =
    settings.view === 'patches'
      ? { mode: 'patches', patchSize: settings.patchSize, ...viewFlags(settings.training) }
      : { mode: settings.view, ...viewFlags(settings.training) };
  const isDigits = settings.dataset === 'mnist' || settings.dataset.startsWith('idx:');
  let model = await GruClassifier.create({
    classNames: trainSet.classNames,
    height: trainSet.height,
    width: trainSet.width,
    channels: trainSet.channels,
    view,
    cell: toCellType(settings.cell),
    units: settings.units,
    layers: settings.layers,
    bidirectional: settings.bidirectional,
    resetAfter: settings.resetAfter,
    seed: settings.seed,
    engine: await engineFor(settings.engine, settings.threads ?? 1),
    limits: modelLimits,
    preprocess: isDigits ? 'mnist' : 'none',
    ...createOptionsFor(settings.training),
  });
  const settingsBytes = new TextEncoder().encode(`${JSON.stringify(settings, null, 2)}\n`);
  if (resumeFrom === undefined) await claimCheckpointDirectory(checkpointsDir, output);
  await writeFileAtomic(join(checkpointsDir, SETTINGS_FILE), settingsBytes);
  const checkpoints = checkpointDirectory(checkpointsDir, {
    ...(settings.runId !== undefined ? { runId: settings.runId } : {}),
  });
  const progress = new TrainingProgress(output);
  const abort = new AbortController();
  // Ctrl-C, `kill -INT` and SIGTERM (what `pnpm exec` sends when it is interrupted, and what
  // supervisors send) stop after the current batch. A second Ctrl-C quits at once — but not one that
  // arrives with the first: under pnpm a terminal's Ctrl-C brings a SIGINT and pnpm's SIGTERM together.
  let stopRequestedAt = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (abort.signal.aborted) {
      if (signal === 'SIGINT' && performance.now() - stopRequestedAt > 1000)
        process.exit(ExitCode.interrupted);
      return;
    }
    stopRequestedAt = performance.now();
    progress.clear();
    output.log('stopping after this batch (press Ctrl-C again to quit at once)…');
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let history: Awaited<ReturnType<GruClassifier['fit']>>;
  const bestDir = join(checkpointsDir, BEST_DIR);
  let keptBest: { epoch: number; monitor: string; value: number } | undefined;
  const keepBest = settings.training?.keepBest;
  try {
    history = await model.fit(trainSet, {
      ...fitOptionsFrom(settings),
      ...(settings.validation > 0 ? { validation: settings.validation } : {}),
      ...(keepBest !== undefined
        ? {
            keepBest: {
              monitor: keepBest,
              save: async (best) => {
                // The best epoch's model, as a model folder of its own beside the checkpoints.
                const copy = await GruClassifier.fromArtifacts(best.artifacts, { limits: modelLimits });
                try {
                  await saveClassifier(copy, bestDir, {
                    files: [{ name: SETTINGS_FILE, bytes: settingsBytes }],
                  });
                } finally {
                  copy.dispose();
                }
                keptBest = { epoch: best.epoch, monitor: best.monitor, value: best.value };
              },
            },
          }
        : {}),
      signal: abort.signal,
      checkpoint: { save: (c) => checkpoints.save(c) },
      ...(checkpointEveryOption ? { checkpointEvery: checkpointEveryOption } : {}),
      ...(resumeFrom ? { resumeFrom } : {}),
      onTrainBegin: (info) => {
        output.log(
          `training ${settings.cell.toUpperCase()}-${settings.units}${settings.layers > 1 ? ` ×${settings.layers}` : ''} ` +
            `(${info.parameters} parameters) on ${info.trainCount} images, ${info.validationCount} for validation, ` +
            `engine ${info.engine}${settings.threads > 1 ? ` × ${settings.threads} threads` : ''}, ${plural(info.epochs, 'epoch')} of ${plural(info.batchesPerEpoch, 'batch', 'batches')}`,
        );
        output.event('trainBegin', { ...info });
      },
      ...progressCallbacks(progress, settings.epochs),
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    progress.clear();
  }
  if (history.stopReason === 'aborted') {
    const done = history.epochs.length;
    const hint =
      done > 0
        ? `Resume with: ${invocation()} train --resume ${quoteArg(checkpointsDir)}`
        : 'No epoch had finished, so there is no checkpoint yet: run the same command again to start over.';
    output.log(`training stopped after ${done} of ${plural(settings.epochs, 'epoch')}. ${hint}`);
    output.result(
      { type: 'result', aborted: true, epochsCompleted: done, checkpoints: checkpointsDir },
      true,
    );
    model.dispose();
    return 'aborted';
  }
  if (keepBest !== undefined) {
    // The model to test and save is the best epoch's (saved during this run or before a --resume).
    model.dispose();
    model = await loadClassifier(bestDir, {
      engine: await engineFor(settings.engine, settings.threads ?? 1),
      limits: modelLimits,
    });
    const epoch = model.trainingSummary?.bestEpoch ?? keptBest?.epoch;
    const at = epoch !== undefined ? history.epochs[epoch - 1] : undefined;
    keptBest = { epoch: epoch ?? 0, monitor: keepBest, value: at?.[keepBest] ?? Number.NaN };
    output.log(
      `kept epoch ${keptBest.epoch} of ${history.epochs.length}, the best by ${keepBest === 'valLoss' ? 'validation loss' : 'validation accuracy'} (${keptBest.value.toFixed(4)})`,
    );
  }
  const evaluation = await model.evaluate(test);
  const reportFiles = trainingReportFiles({
    title: `${settings.cell.toUpperCase()}-${settings.units} on ${settings.dataset}`,
    history: history.epochs,
    evaluation,
    classNames: trainSet.classNames,
    facts: [
      ['dataset', settings.dataset],
      ['test set', splitNote],
      [
        'model',
        `${settings.cell.toUpperCase()}-${settings.units} × ${settings.layers}, ${model.parameterCount} parameters`,
      ],
      ['engine', settings.engine],
      ['epochs', String(history.epochs.length)],
      ['training time', formatDuration(history.seconds)],
      ['seed', String(settings.seed)],
    ],
  });
  // One atomic folder write: the model, how it was trained (so `gruvision eval` knows its dataset) and
  // its report. A kill leaves the old folder or the new one, never a model without its settings.
  await saveClassifier(model, settings.out, {
    files: [{ name: SETTINGS_FILE, bytes: settingsBytes }, ...reportFiles],
  });
  const report = reportPaths(settings.out);
  const last = history.epochs[history.epochs.length - 1];
  output.line(
    `test accuracy ${formatPercent(evaluation.accuracy)} (${Math.round(evaluation.accuracy * evaluation.count)}/${evaluation.count}), ` +
      `loss ${evaluation.loss.toFixed(4)}, macro-F1 ${evaluation.macroF1.toFixed(4)} after ${history.epochs.length} epoch${history.epochs.length === 1 ? '' : 's'} in ${formatDuration(history.seconds)}`,
  );
  output.line(`test set: ${splitNote}`);
  output.line(`model saved to ${settings.out}`);
  output.line(`report: ${report.html}`);
  output.result(
    {
      type: 'result',
      testAccuracy: evaluation.accuracy,
      testLoss: evaluation.loss,
      testCount: evaluation.count,
      macroF1: evaluation.macroF1,
      topKAccuracy: evaluation.topKAccuracy,
      modelDir: settings.out,
      report: report.html,
      checkpoints: checkpointsDir,
      epochs: history.epochs.length,
      stopReason: history.stopReason,
      seconds: history.seconds,
      parameters: model.parameterCount,
      engine: settings.engine,
      dataset: settings.dataset,
      split,
      splitNote,
      skipped,
      ...(keptBest !== undefined ? { keptBest } : {}),
      trainAccuracy: last?.accuracy,
      valAccuracy: last?.valAccuracy,
      history: history.epochs,
      settings,
    },
    true,
  );
  model.dispose();
  return 'done';
}
