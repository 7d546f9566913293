import { resolve } from 'node:path';
import type { EngineName } from '@gruvision/classifier';
import { type RawImage, readImageFile } from '@gruvision/data/node';
import { describeError, ExitCode } from '../errors';
import { modelLimitsFrom } from '../model-limits';
import { choice, positiveInt } from '../options';
import {
  INVERT_HELP,
  INVERT_MODES,
  type InvertMode,
  PICTURE_HELP,
  pictureSet,
  pictureWarnings,
  preparePicture,
} from '../pictures';
import type { RegisterCommand } from '../program';
import { formatPercent } from '../ui/format';
import { Output } from '../ui/io';
import { addModelReaderOptions, inputLimitsFrom, openModel } from './shared';

export const registerPredict: RegisterCommand = (program, context) => {
  const command = program
    .command('predict')
    .argument('<model>', 'model directory written by gruvision train')
    .argument('<images...>', 'PNG or JPEG files of any size (see "How a picture is read" below)')
    .description("name the class of each image with the model's top-k probabilities")
    .option('--top-k <k>', 'how many classes to list per image', positiveInt, 3)
    .option('--invert <mode>', INVERT_HELP, choice(INVERT_MODES), 'auto');
  addModelReaderOptions(
    command,
    `  $ gruvision predict models/mnist-gru128 my-digit.png
  $ gruvision predict models/fashion shirt.jpg boot.png --top-k 5 --json
  $ gruvision predict models/fashion photo-on-white.jpg --invert yes

${PICTURE_HELP}
A file that cannot be read gets its error in its row; the others are still predicted (exit code 1).`,
  );
  command.action(async (modelDir: string, files: string[], raw: Record<string, unknown>) => {
    const output = new Output(context.io, Boolean(raw.json));
    const model = await openModel(resolve(modelDir), raw.engine as EngineName, modelLimitsFrom(raw));
    const invert = raw.invert as InvertMode;
    const limits = inputLimitsFrom(raw);
    // Each file on its own: one unreadable file must not hide the others' results.
    const read = await Promise.all(
      files.map(async (file) => {
        try {
          const prepared = preparePicture(model, await readImageFile(file, limits), invert);
          return { file, prepared, warnings: pictureWarnings(prepared, model) };
        } catch (error) {
          return { file, error: describeError(error, context.debug()).text.replace(/^error: /, '') };
        }
      }),
    );
    const ok = read.filter(
      (r): r is { file: string; prepared: RawImage; warnings: string[] } => 'prepared' in r,
    );
    const k = Math.min(raw.topK as number, model.classNames.length);
    const predictions =
      ok.length > 0
        ? await model.predict(
            pictureSet(
              model,
              ok.map((r) => r.prepared),
            ),
            { topK: k },
          )
        : [];
    model.dispose();
    const byFile = new Map(ok.map((r, i) => [r, predictions[i]!]));
    const rows = read.map((r) => {
      if ('error' in r) return { file: r.file, error: r.error };
      const p = byFile.get(r as (typeof ok)[number])!;
      return {
        file: r.file,
        label: p.label,
        className: p.className,
        probability: p.probability,
        top: p.top.map((t) => ({ label: t.label, className: t.className, probability: t.probability })),
        warnings: r.warnings,
      };
    });
    output.result(rows);
    for (const row of rows) {
      if ('error' in row) {
        output.log(`${row.file}: error: ${row.error}`);
        continue;
      }
      const rest = row.top
        .slice(1)
        .map((t) => `${t.className} ${formatPercent(t.probability, 1)}`)
        .join(', ');
      output.line(
        `${row.file}: ${row.className} (${formatPercent(row.probability, 1)})${rest ? `   then ${rest}` : ''}`,
      );
      for (const warning of row.warnings) output.log(`${row.file}: warning: ${warning}`);
    }
    if (rows.some((row) => 'error' in row)) context.setExitCode(ExitCode.userError);
  });
};
