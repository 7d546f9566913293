import { resolve } from 'node:path';
import type { EngineName } from '@gruvision/classifier';
import { readImageFile } from '@gruvision/data/node';
import { positiveInt } from '../options';
import type { RegisterCommand } from '../program';
import { formatPercent } from '../ui/format';
import { Output } from '../ui/io';
import { addEngineOption, addInputLimitOptions, addJsonOption, inputLimitsFrom, openModel } from './shared';

export const registerPredict: RegisterCommand = (program, context) => {
  const command = program
    .command('predict')
    .argument('<model>', 'model directory written by gruvision train')
    .argument('<images...>', 'PNG or JPEG files of any size, dark-on-light or light-on-dark')
    .description("name the class of each image with the model's top-k probabilities")
    .option('--top-k <k>', 'how many classes to list per image', positiveInt, 3);
  addEngineOption(command);
  addInputLimitOptions(command);
  addJsonOption(command);
  command.addHelpText(
    'after',
    `
Examples:
  $ gruvision predict models/mnist-gru128 my-digit.png
  $ gruvision predict models/fashion shirt.jpg boot.png --top-k 5 --json`,
  );
  command.action(async (modelDir: string, files: string[], raw: Record<string, unknown>) => {
    const output = new Output(context.io, Boolean(raw.json));
    const model = await openModel(resolve(modelDir), raw.engine as EngineName);
    // Read every file first, so a bad one stops the command before any output.
    const limits = inputLimitsFrom(raw);
    const images = await Promise.all(files.map((file) => readImageFile(file, limits)));
    const k = Math.min(raw.topK as number, model.classNames.length);
    const predictions = await model.predict(images, { topK: k });
    model.dispose();
    const rows = predictions.map((p, i) => ({
      file: files[i]!,
      label: p.label,
      className: p.className,
      probability: p.probability,
      top: p.top.map((t) => ({ label: t.label, className: t.className, probability: t.probability })),
    }));
    output.result(rows);
    for (const row of rows) {
      const rest = row.top
        .slice(1)
        .map((t) => `${t.className} ${formatPercent(t.probability, 1)}`)
        .join(', ');
      output.line(
        `${row.file}: ${row.className} (${formatPercent(row.probability, 1)})${rest ? `   then ${rest}` : ''}`,
      );
    }
  });
};
