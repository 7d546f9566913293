import { describe, expect, it } from 'vitest';
import {
  foreignFormat,
  ModelFolderError,
  modelFromFiles,
  modelSourceFromFiles,
  type NamedBlob,
} from './model-drop';

const file = (name: string, bytes: Uint8Array | string): NamedBlob => ({
  name,
  arrayBuffer: async () => {
    const b = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  },
});
const manifest = (paths: string[]): string =>
  JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths, weights: [] }] });

describe('modelFromFiles', () => {
  it('joins the weight files model.json lists, matched by name, in manifest order', async () => {
    const files = await modelFromFiles([
      file('b.bin', new Uint8Array([3, 4])),
      file('model.json', manifest(['a.bin', './b.bin'])),
      file('a.bin', new Uint8Array([1, 2])),
    ]);
    expect(Array.from(files.weightData)).toEqual([1, 2, 3, 4]);
    expect((files.modelJson as { weightsManifest: unknown[] }).weightsManifest).toHaveLength(1);
  });

  it('names the missing weight file and how to fix it', async () => {
    const attempt = modelFromFiles([file('model.json', manifest(['weights.bin']))]);
    await expect(attempt).rejects.toThrow(ModelFolderError);
    await expect(attempt).rejects.toThrow(
      /needs weights\.bin, which was not dropped: drop the whole model folder/,
    );
  });

  it('says when no model.json or a broken one was dropped', async () => {
    await expect(modelFromFiles([file('weights.bin', new Uint8Array(4))])).rejects.toThrow(
      /No model\.json among the dropped files \(weights\.bin\)/,
    );
    await expect(modelFromFiles([file('model.json', '{oops')])).rejects.toThrow(/is not JSON/);
    await expect(modelFromFiles([file('model.json', '{}')])).rejects.toThrow(/has no weightsManifest/);
  });
});

describe('modelSourceFromFiles', () => {
  it('takes one .onnx or .safetensors file as a PyTorch-side model, with its bytes and name', async () => {
    const source = await modelSourceFromFiles([file('Net.ONNX', new Uint8Array([8, 1]))]);
    expect(source).toEqual({
      kind: 'foreign',
      model: { format: 'onnx', name: 'Net.ONNX', bytes: new Uint8Array([8, 1]) },
    });
    expect(foreignFormat('w.safetensors')).toBe('safetensors');
    expect(foreignFormat('weights.bin')).toBeNull();
  });

  it('takes a model folder as before, and refuses two model files at once', async () => {
    const source = await modelSourceFromFiles([
      file('model.json', manifest(['a.bin'])),
      file('a.bin', new Uint8Array([1])),
    ]);
    expect(source.kind).toBe('files');
    await expect(
      modelSourceFromFiles([file('a.onnx', 'x'), file('b.safetensors', 'y')]),
    ).rejects.toMatchObject({
      code: 'MODEL_FOLDER_INVALID',
      message: expect.stringMatching(/one \.onnx or \.safetensors file at a time/),
    });
  });
});
