import { mkdir } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { EngineName } from '@gruvision/classifier';
import { writeFileAtomic } from '@gruvision/classifier/node';
import { readImageFile } from '@gruvision/data/node';
import { resolveLayers } from '@gruvision/math';
import { modelLimitsFrom } from '../model-limits';
import type { RegisterCommand } from '../program';
import { explanationSvg } from '../report/explain-svg';
import { formatPercent } from '../ui/format';
import { Output } from '../ui/io';
import { addModelReaderOptions, inputLimitsFrom, openModel } from './shared';

export const registerExplain: RegisterCommand = (program, context) => {
  const command = program
    .command('explain')
    .argument('<model>', 'model directory written by gruvision train')
    .argument('<image>', 'a PNG or JPEG file')
    .description(
      'draw how the model reads an image: gates and hidden state per step, class probabilities after each step',
    )
    .option(
      '--out <file>',
      'SVG file to write (default: runs/<image name>.explain.svg in the current folder)',
    );
  addModelReaderOptions(
    command,
    `  $ gruvision explain models/mnist-gru128 seven.png            # writes runs/seven.explain.svg
  $ gruvision explain models/mnist-gru128 seven.png --json     # per-step probabilities as JSON`,
  );
  command.action(async (modelDir: string, file: string, raw: Record<string, unknown>) => {
    const output = new Output(context.io, Boolean(raw.json));
    const model = await openModel(resolve(modelDir), raw.engine as EngineName, modelLimitsFrom(raw));
    const image = await readImageFile(file, inputLimitsFrom(raw));
    const e = await model.explain(image);
    const classNames = model.classNames;
    const updateGates = Object.fromEntries(
      resolveLayers(model.spec).map((l) => [l.name, l.updateGate] as const),
    );
    model.dispose();
    const out = resolve(
      (raw.out as string | undefined) ?? join('runs', `${basename(file, extname(file))}.explain.svg`),
    );
    await mkdir(dirname(out), { recursive: true });
    await writeFileAtomic(out, new TextEncoder().encode(explanationSvg(e, classNames, updateGates)));
    output.result({
      file,
      picture: out,
      label: e.prediction.label,
      className: e.prediction.className,
      probability: e.prediction.probability,
      timeSteps: e.timeSteps,
      steps: e.steps.map((s, t) => ({
        step: t + 1,
        label: s.label,
        className: s.className,
        probability: s.probability,
        probabilities: Array.from(
          e.stepProbabilities.subarray(t * classNames.length, (t + 1) * classNames.length),
        ),
      })),
    });
    output.line(`${file}: ${e.prediction.className} (${formatPercent(e.prediction.probability, 1)})`);
    const changes = e.steps
      .map((s, t) => ({ ...s, t }))
      .filter((s, i, all) => i === 0 || s.label !== all[i - 1]!.label)
      .map((s) => `step ${s.t + 1}: ${s.className} ${formatPercent(s.probability, 0)}`);
    output.line(`belief while reading: ${changes.join(' → ')}`);
    output.line(`picture: ${out}`);
  });
};
