// Test helper (not exported): run an ONNX model with onnxruntime-node or onnxruntime-web (wasm backend in Node).
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { ONNX_INPUT_NAME, ONNX_OUTPUT_NAME } from './onnx-export';

export type Runtime = 'onnxruntime-node' | 'onnxruntime-web';

let webReady = false;

/** Output `name` of `bytes` run on `inputs` (float32 tensors), with the given runtime. */
export async function runOnnx(
  runtime: Runtime,
  bytes: Uint8Array,
  inputs: Record<string, { data: Float32Array; dims: number[] }>,
  outputName: string,
): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const ort = runtime === 'onnxruntime-node' ? ortNode : ortWeb;
  if (runtime === 'onnxruntime-web' && !webReady) {
    ortWeb.env.wasm.numThreads = 1;
    webReady = true;
  }
  const session = await (ort.InferenceSession as typeof ortNode.InferenceSession).create(bytes, {
    executionProviders: [runtime === 'onnxruntime-node' ? 'cpu' : 'wasm'],
    graphOptimizationLevel: 'all',
  });
  try {
    const feeds: Record<string, ortNode.Tensor> = {};
    for (const [name, { data, dims }] of Object.entries(inputs)) {
      feeds[name] = new (ort.Tensor as typeof ortNode.Tensor)('float32', data, dims);
    }
    const result = await session.run(feeds);
    const out = result[outputName];
    if (!out) throw new Error(`no output ${outputName}`);
    return { data: Float32Array.from(out.data as Float32Array), dims: out.dims };
  } finally {
    await session.release();
  }
}

/**
 * The probabilities `[N, classes]` of an exported classifier (`bytes`) for the images `nhwc`
 * (float32 `[N, H, W, C]` of the model's `input` shape), with the given runtime.
 */
export function runOnnxImages(
  runtime: Runtime,
  bytes: Uint8Array,
  input: { readonly height: number; readonly width: number; readonly channels: number },
  nhwc: Float32Array,
): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const { height, width, channels } = input;
  const dims = [nhwc.length / (height * width * channels), height, width, channels];
  return runOnnx(runtime, bytes, { [ONNX_INPUT_NAME]: { data: nhwc, dims } }, ONNX_OUTPUT_NAME);
}
