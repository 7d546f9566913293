import { open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { classifierFromPlainModel } from '@gruvision/classifier';
import { saveClassifier } from '@gruvision/classifier/node';
import type { ImportOptions, InteropView } from '@gruvision/interop';
import { DEFAULT_MAX_IMPORT_BYTES, modelFromOnnx, modelFromSafetensors } from '@gruvision/interop';
import { resolveLayers } from '@gruvision/math';
import { InvalidArgumentError } from 'commander';
import { CliError } from '../errors';
import { choice, list } from '../options';
import type { RegisterCommand } from '../program';
import { formatCount } from '../ui/format';
import { Output } from '../ui/io';
import { addJsonOption } from './shared';

/** `28x28` or `32x32x3`: height × width (× channels, default 1). */
export function inputSize(value: string): { height: number; width: number; channels: number } {
  const m = /^(\d+)x(\d+)(?:x(\d+))?$/i.exec(value.trim());
  const [height, width, channels] = m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 1)] : [0, 0, 0];
  if (!m || height < 1 || width < 1 || ![1, 3, 4].includes(channels)) {
    throw new InvalidArgumentError(
      `expected HEIGHTxWIDTH or HEIGHTxWIDTHxCHANNELS (channels 1, 3 or 4), e.g. 28x28, got "${value}".`,
    );
  }
  return { height, width, channels };
}

/** `rows`, `columns`, `pixels` or `patches:N`. */
export function viewOption(value: string): InteropView {
  const v = value.trim();
  if (v === 'rows' || v === 'columns' || v === 'pixels') return { mode: v };
  const m = /^patches:(\d+)$/.exec(v);
  if (m && Number(m[1]) >= 1) return { mode: 'patches', patchSize: Number(m[1]) };
  throw new InvalidArgumentError(
    `expected rows, columns, pixels or patches:N (e.g. patches:4), got "${value}".`,
  );
}

async function readLimited(path: string, max: number): Promise<Uint8Array> {
  const s = await stat(path);
  if (!s.isFile())
    throw new CliError(`${path} is not a file. Pass the .onnx or .safetensors file to import.`);
  if (s.size > max)
    throw new CliError(
      `${path} is ${formatCount(s.size)} bytes, more than the ${formatCount(max)} gruvision imports. It is not a model gruvision can run.`,
    );
  const handle = await open(path, 'r');
  try {
    const bytes = new Uint8Array(s.size);
    const { bytesRead } = await handle.read(bytes, 0, s.size, 0);
    return bytes.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** safetensors when the extension says so or the bytes start with a plausible header; else ONNX. */
function isSafetensors(path: string, bytes: Uint8Array): boolean {
  if (/\.safetensors$/i.test(path)) return true;
  if (/\.onnx$/i.test(path) || bytes.length < 9) return false;
  const n = new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true);
  return n > 0n && n < BigInt(bytes.length) && bytes[8] === 0x7b; // '{'
}

export const registerImport: RegisterCommand = (program, context) => {
  const command = program
    .command('import')
    .argument('<file>', 'an ONNX model (torch.onnx.export or gruvision export) or a safetensors state dict')
    .description('turn an ONNX model or PyTorch safetensors weights into a gruvision model directory')
    .requiredOption('--out <dir>', 'model directory to write (model.json + weights.bin)')
    .option(
      '--input <HxW>',
      'input image size, e.g. 28x28 or 32x32x3 (default: from the file, else rows of square images)',
      inputSize,
    )
    .option(
      '--view <mode>',
      'rows | columns | pixels | patches:N (default: from the file, else rows)',
      viewOption,
    )
    .option(
      '--classes <names>',
      'class names, comma-separated (default: from the file, else 0, 1, …)',
      list(String),
    )
    .option(
      '--preprocess <mode>',
      'mnist (centre digits at predict time) | none (default: from the file, else none)',
      choice(['mnist', 'none'] as const),
    );
  addJsonOption(command);
  command.addHelpText(
    'after',
    `
A sequence model without gruvision metadata reads pixels / 255 as features (no normalization).
Examples:
  $ gruvision import classifier.onnx --out models/from-torch --input 28x28 --classes 0,1,2,3,4,5,6,7,8,9
  $ gruvision import trained.safetensors --out models/ddp --input 28x28 --preprocess mnist`,
  );
  command.action(
    async (
      file: string,
      raw: {
        out: string;
        input?: { height: number; width: number; channels: number };
        view?: InteropView;
        classes?: string[];
        preprocess?: 'mnist' | 'none';
        json?: boolean;
      },
    ) => {
      const output = new Output(context.io, Boolean(raw.json));
      const path = resolve(file);
      const out = resolve(raw.out);
      const bytes = await readLimited(path, DEFAULT_MAX_IMPORT_BYTES);
      const format = isSafetensors(path, bytes) ? 'safetensors' : 'onnx';
      const options: ImportOptions = {
        file: path,
        ...(raw.input ? { input: raw.input } : {}),
        ...(raw.view ? { view: raw.view } : {}),
        ...(raw.classes ? { classNames: raw.classes } : {}),
        ...(raw.preprocess ? { preprocess: raw.preprocess } : {}),
      };
      // modelFromOnnx routes a Scan file (gruvision's export of minGRU / minLSTM) to modelFromOnnxScan.
      const imported =
        format === 'safetensors' ? modelFromSafetensors(bytes, options) : modelFromOnnx(bytes, options);
      const model = await classifierFromPlainModel(imported, 'math');
      try {
        await saveClassifier(model, out);
      } finally {
        model.dispose();
      }
      const { spec, input, view } = imported;
      output.result({
        file: path,
        format,
        out,
        input,
        view,
        classNames: imported.classNames,
        preprocess: imported.preprocess,
        spec,
      });
      output.line(`imported ${path} (${format}) → ${out}`);
      output.line(
        `  input   ${input.height}×${input.width}×${input.channels}, ${view.mode} view → ${spec.timeSteps} steps × ${spec.features} features`,
      );
      for (const layer of resolveLayers(spec)) {
        const extras = [
          layer.bidirectional ? 'bidirectional' : '',
          layer.cell === 'gru' ? `resetAfter ${layer.resetAfter}` : '',
          layer.cell !== 'simpleRnn' ? layer.recurrentActivation : '',
        ].filter(Boolean);
        output.line(`  layer   ${layer.cell} ${layer.units} units (${extras.join(', ')})`);
      }
      output.line(`  head    dense ${spec.classes} classes (${imported.classNames.join(', ')}), softmax`);
    },
  );
};
