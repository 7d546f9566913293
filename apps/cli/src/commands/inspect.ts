import { resolve } from 'node:path';
import { resolveLayers } from '@gruvision/math';
import { addModelLimitOptions, modelLimitsFrom } from '../model-limits';
import type { RegisterCommand } from '../program';
import { formatCount, formatDuration, formatPercent, plural } from '../ui/format';
import { Output } from '../ui/io';
import { addJsonOption, openModel } from './shared';

export const registerInspect: RegisterCommand = (program, context) => {
  const command = program
    .command('inspect')
    .argument('<model>', 'model directory written by gruvision train')
    .description('show a model: layers, parameter count, input, sequence view, classes and training summary');
  addJsonOption(command);
  addModelLimitOptions(command);
  command.addHelpText('after', '\nExample:\n  $ gruvision inspect models/mnist-gru128 --json');
  command.action(async (modelDir: string, raw: Record<string, unknown>) => {
    const output = new Output(context.io, Boolean(raw.json));
    const dir = resolve(modelDir);
    const model = await openModel(dir, 'math', modelLimitsFrom(raw));
    const meta = model.metadata();
    const parameters = model.parameterCount;
    model.dispose();
    output.result({ model: dir, parameters, ...meta });
    const { spec, input, view, training } = meta;
    output.line(`model ${dir}`);
    output.line(
      `  input      ${input.height}×${input.width}×${input.channels}, preprocess ${meta.preprocess}`,
    );
    output.line(
      `  view       ${view.mode}${view.mode === 'patches' ? ` ${view.patchSize}×${view.patchSize}` : ''}` +
        ` → ${spec.timeSteps} steps × ${spec.features} features` +
        (view.normalize
          ? `, normalized (mean ${view.normalize.mean.toFixed(4)}, std ${view.normalize.std.toFixed(4)})`
          : '') +
        (view.permutationSeed !== undefined ? `, steps permuted (seed ${view.permutationSeed})` : ''),
    );
    for (const layer of resolveLayers(spec)) {
      const extras = [
        layer.bidirectional ? 'bidirectional' : '',
        layer.cell === 'gru' ? `resetAfter ${layer.resetAfter}` : '',
        layer.cell !== 'simpleRnn' ? layer.recurrentActivation : '',
        layer.goBackwards ? 'goBackwards' : '',
        layer.cell === 'lstm' ? `unitForgetBias ${layer.unitForgetBias}` : '',
        layer.dropout > 0 ? `dropout ${layer.dropout}` : '',
        layer.recurrentDropout > 0 ? `recurrentDropout ${layer.recurrentDropout}` : '',
      ].filter(Boolean);
      output.line(`  layer      ${layer.name}: ${layer.cell} ${layer.units} units (${extras.join(', ')})`);
    }
    output.line(
      `  head       dense ${spec.classes} classes, softmax${(spec.headDropout ?? 0) > 0 ? `, headDropout ${spec.headDropout}` : ''}`,
    );
    output.line(`  parameters ${formatCount(parameters)}`);
    output.line(`  classes    ${meta.classNames.join(', ')}`);
    output.line(`  seed       ${meta.seed}`);
    if (training) {
      output.line(
        `  training   ${plural(training.epochs, 'epoch')} on ${formatCount(training.samples)} images, batch ${training.batchSize}, ` +
          `${training.optimizer.type} lr ${training.optimizer.learningRate}, engine ${training.engine}, ${formatDuration(training.seconds)}`,
      );
      output.line(
        // A summary of zero epochs stores its loss and accuracy as null (JSON's NaN).
        `             final loss ${typeof training.loss === 'number' ? training.loss.toFixed(4) : 'n/a'}, ` +
          `accuracy ${typeof training.accuracy === 'number' ? formatPercent(training.accuracy) : 'n/a'}` +
          (training.valAccuracy !== undefined
            ? `, validation accuracy ${formatPercent(training.valAccuracy)}`
            : '') +
          (training.stoppedEarly ? `, stopped early` : '') +
          (training.bestEpoch !== undefined ? `, best epoch ${training.bestEpoch} kept` : ''),
      );
    } else {
      output.line('  training   none recorded');
    }
  });
};
