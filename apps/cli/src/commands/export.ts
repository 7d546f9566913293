import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { plainModelOf } from '@gruvision/classifier';
import { writeFileAtomic } from '@gruvision/classifier/node';
import {
  modelToOnnx,
  modelToSafetensors,
  ONNX_INPUT_NAME,
  ONNX_OPSET,
  ONNX_OUTPUT_NAME,
} from '@gruvision/interop';
import { UsageError } from '../errors';
import { addModelLimitOptions, modelLimitsFrom } from '../model-limits';
import { choice } from '../options';
import type { RegisterCommand } from '../program';
import { formatCount } from '../ui/format';
import { Output } from '../ui/io';
import { cliVersion } from '../version';
import { addJsonOption, openModel } from './shared';

const FORMATS = ['onnx', 'safetensors'] as const;
type Format = (typeof FORMATS)[number];

/** The format named by `--format`, else by the extension of `--out`. */
export function formatOf(format: Format | undefined, path: string, flag: string): Format {
  if (format) return format;
  if (/\.onnx$/i.test(path)) return 'onnx';
  if (/\.safetensors$/i.test(path)) return 'safetensors';
  throw new UsageError(
    `cannot tell the format of ${path}: pass --format onnx or --format safetensors (or name the ${flag} file *.onnx / *.safetensors).`,
  );
}

export const registerExport: RegisterCommand = (program, context) => {
  const command = program
    .command('export')
    .argument('<model>', 'model directory written by gruvision train (or import)')
    .description('write a model as ONNX (for ONNX Runtime) or as PyTorch safetensors')
    .option('--format <format>', 'onnx | safetensors (default: from the --out extension)', choice(FORMATS))
    .requiredOption('--out <file>', 'the file to write (model.onnx, model.safetensors)');
  addJsonOption(command);
  addModelLimitOptions(command);
  command.addHelpText(
    'after',
    `
The ONNX model reads float32 "${ONNX_INPUT_NAME}" [batch, height, width, channels] holding 0–255 pixel values
(the model's view and normalization are inside the graph) and gives "${ONNX_OUTPUT_NAME}" [batch, classes].
The safetensors file holds the state dict of rnn = nn.GRU|nn.LSTM|nn.RNN(batch_first=True) + head = nn.Linear.

Examples:
  $ gruvision export models/mnist-gru128 --out mnist.onnx
  $ gruvision export models/mnist-gru128 --format safetensors --out mnist.safetensors`,
  );
  command.action(
    async (
      modelDir: string,
      raw: { format?: Format; out: string; json?: boolean } & Record<string, unknown>,
    ) => {
      const output = new Output(context.io, Boolean(raw.json));
      const out = resolve(raw.out);
      const format = formatOf(raw.format, out, '--out');
      const outStat = await stat(out).catch(() => undefined);
      if (outStat?.isDirectory())
        throw new UsageError(
          `--out ${out} is a directory; name the file to write, e.g. ${join(out, `model.${format}`)}.`,
        );
      const model = await openModel(resolve(modelDir), 'math', modelLimitsFrom(raw));
      const interop = plainModelOf(model);
      model.dispose();
      const bytes =
        format === 'onnx'
          ? modelToOnnx(interop, { file: out, producerVersion: cliVersion })
          : modelToSafetensors(interop, { file: out });
      await writeFileAtomic(out, bytes);
      const { height, width, channels } = interop.input;
      const classes = interop.classNames.length;
      output.result({
        format,
        out,
        bytes: bytes.length,
        ...(format === 'onnx'
          ? {
              opset: ONNX_OPSET,
              input: { name: ONNX_INPUT_NAME, shape: ['batch', height, width, channels], range: [0, 255] },
              output: { name: ONNX_OUTPUT_NAME, shape: ['batch', classes] },
            }
          : { module: interop.spec.layers[0]!.cell, tensors: 'rnn.*, head.*' }),
      });
      output.line(`wrote ${out} (${format}, ${formatCount(bytes.length)} bytes)`);
      if (format === 'onnx') {
        output.line(
          `  input   ${ONNX_INPUT_NAME} float32 [batch, ${height}, ${width}, ${channels}], pixel values 0–255`,
        );
        output.line(
          `  output  ${ONNX_OUTPUT_NAME} float32 [batch, ${classes}] (${interop.classNames.join(', ')})`,
        );
        output.line(`  opset   ${ONNX_OPSET}`);
      } else {
        output.line(
          '  tensors rnn.weight_ih_l{k}, rnn.weight_hh_l{k}, rnn.bias_ih_l{k}, rnn.bias_hh_l{k}[_reverse], head.weight, head.bias',
        );
        output.line('  load    model.load_state_dict(safetensors.torch.load_file(path), strict=True)');
      }
    },
  );
};
