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
  saveClassifier,
  writeFileAtomic,
} from '@gruvision/classifier/node';
import type { InputLimits, SequenceView } from '@gruvision/data';
import { InvalidArgumentError } from 'commander';
import { CliError, ExitCode, UsageError } from '../errors';
import { invocation, quoteArg } from '../invocation';
import { modelLimitsFrom } from '../model-limits';
import { choice, fraction, nonNegativeInt, positiveInt, positiveNumber } from '../options';
import type { RegisterCommand } from '../program';
import { reportPaths, trainingReportFiles } from '../report/training-report';
import { formatDuration, formatPercent, plural } from '../ui/format';
import { Output } from '../ui/io';
import { progressCallbacks, TrainingProgress } from '../ui/progress';
import {
  addEngineOption,
  addInputLimitOptions,
  addJsonOption,
  addThreadsOption,
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
  flag,
  OPTIMIZERS,
  optimizerSpec,
  RUN_OPTIONS,
  readSettings,
  SCHEDULES,
  SETTINGS_FILE,
  schedule,
  slug,
  TRAIN_DEFAULTS,
  type TrainSettings,
  VIEWS,
} from './train-settings';
import {
  addTrainingFlags,
  createOptionsFor,
  fitOptionsFor,
  refuseTrainingFlagsOnResume,
  trainingFlagsFrom,
  viewFlags,
} from './training-flags';

export { SETTINGS_FILE, TRAIN_DEFAULTS, type TrainSettings } from './train-settings';

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
    .option('--batch-size <n>', 'images per training step', positiveInt, TRAIN_DEFAULTS.batchSize)
    .option('--lr <rate>', 'learning rate', positiveNumber, TRAIN_DEFAULTS.lr)
    .option(
      '--optimizer <name>',
      'adam | adamw | sgd | rmsprop',
      choice(OPTIMIZERS),
      TRAIN_DEFAULTS.optimizer,
    )
    .option(
      '--schedule <kind>',
      'learning-rate schedule: constant | cosine | step',
      choice(SCHEDULES),
      'cosine',
    )
    .option('--dropout <rate>', 'input dropout of the recurrent layers', fraction, 0)
    .option('--clip-norm <n>', 'clip gradients to this global norm', positiveNumber)
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
  addTrainingFlags(command);
  addEngineOption(command);
  addThreadsOption(command);
  addInputLimitOptions(command);
  addJsonOption(command);
  command.addHelpText(
    'after',
    `
Examples:
  $ gruvision train                                   # GRU-128 on MNIST rows, prints test accuracy
  $ gruvision train --dataset fashion-mnist --epochs 10
  $ gruvision train --cell lstm --units 64 --limit 5000 --epochs 2 --out models/quick
  $ gruvision train --dataset folder:./my-images --view rows --json
  $ gruvision train --resume models/mnist-gru128.checkpoints

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
        epochs: raw.epochs as number,
        batchSize: raw.batchSize as number,
        lr: raw.lr as number,
        optimizer: raw.optimizer as TrainSettings['optimizer'],
        schedule: raw.schedule as TrainSettings['schedule'],
        dropout: raw.dropout as number,
        ...(raw.clipNorm !== undefined ? { clipNorm: raw.clipNorm as number } : {}),
        seed: raw.seed as number,
        validation: raw.validation as number,
        ...(raw.limit !== undefined ? { limit: raw.limit as number } : {}),
        ...(raw.testLimit !== undefined ? { testLimit: raw.testLimit as number } : {}),
        engine: raw.engine as EngineName,
        threads: threadsFor(raw.engine as EngineName, raw.threads as number | undefined),
        out: resolve((raw.out as string | undefined) ?? join('models', `${slug(dataset)}-${cell}${units}`)),
        training: trainingFlagsFrom(raw, cell),
        runId: `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`,
      };
      if (settings.resetAfter && settings.cell !== 'gru') {
        throw new UsageError('--reset-after only applies to --cell gru.');
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
  const model = await GruClassifier.create({
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
  try {
    history = await model.fit(trainSet, {
      epochs: settings.epochs,
      batchSize: settings.batchSize,
      ...(settings.validation > 0 ? { validation: settings.validation } : {}),
      optimizer: optimizerSpec(settings),
      learningRate: settings.lr,
      ...(schedule(settings.schedule, settings.epochs)
        ? { schedule: schedule(settings.schedule, settings.epochs)! }
        : {}),
      ...(settings.clipNorm !== undefined ? { clipNorm: settings.clipNorm } : {}),
      ...(settings.dropout > 0 ? { dropout: settings.dropout } : {}),
      ...fitOptionsFor(settings.training),
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
      trainAccuracy: last?.accuracy,
      valAccuracy: last?.valAccuracy,
      history: history.epochs,
    },
    true,
  );
  model.dispose();
  return 'done';
}
