import type { CellType } from '@gruvision/math';

/**
 * Gate orders. Keras (the canonical layout) stores gate blocks as columns: GRU z|r|h, LSTM i|f|c|o.
 * An order lists, for each row block of the other format, the Keras block it holds.
 */
export const ONNX_GATE_ORDER: Readonly<Record<CellType, readonly number[]>> = {
  gru: [0, 1, 2], // z|r|h
  lstm: [0, 3, 1, 2], // i|o|f|c
  simpleRnn: [0],
  // The minimal cells have no ONNX operator; `modelToOnnx` refuses them before reading this.
  mingru: [0, 1],
  minlstm: [0, 1, 2],
};

/** PyTorch: GRU r|z|n, LSTM i|f|g|o, RNN one block. */
export const TORCH_GATE_ORDER: Readonly<Record<CellType, readonly number[]>> = {
  gru: [1, 0, 2],
  lstm: [0, 1, 2, 3],
  simpleRnn: [0],
  // No PyTorch module either; `torchIncompatibility` refuses them before reading this.
  mingru: [0, 1],
  minlstm: [0, 1, 2],
};

/** Keras kernel `[I, g·u]` (column blocks) → row-major `[g·u, I]` with row blocks in `order`. */
export function kernelToRows(
  kernel: Float32Array,
  inputSize: number,
  units: number,
  order: readonly number[],
): Float32Array {
  return moveGateBlocks(kernel, inputSize, units, order, 'toRows');
}

/** Inverse of {@link kernelToRows}: `[g·u, I]` row blocks in `order` → Keras `[I, g·u]`. */
export function rowsToKernel(
  rows: Float32Array,
  inputSize: number,
  units: number,
  order: readonly number[],
): Float32Array {
  return moveGateBlocks(rows, inputSize, units, order, 'toKernel');
}

/** Gate block `k` of the rows is Keras column block `order[k]`; copies one layout into the other. */
function moveGateBlocks(
  from: Float32Array,
  inputSize: number,
  units: number,
  order: readonly number[],
  direction: 'toRows' | 'toKernel',
): Float32Array {
  const cols = order.length * units;
  const out = new Float32Array(cols * inputSize);
  order.forEach((block, k) => {
    for (let j = 0; j < units; j++) {
      const row = (k * units + j) * inputSize;
      const col = block * units + j;
      for (let i = 0; i < inputSize; i++) {
        if (direction === 'toRows') out[row + i] = from[i * cols + col]!;
        else out[i * cols + col] = from[row + i]!;
      }
    }
  });
  return out;
}

/** Keras bias blocks `[g·u]` → blocks in `order`. */
export function biasToOrder(bias: Float32Array, units: number, order: readonly number[]): Float32Array {
  const out = new Float32Array(order.length * units);
  order.forEach((src, k) => {
    out.set(bias.subarray(src * units, (src + 1) * units), k * units);
  });
  return out;
}

/** Inverse of {@link biasToOrder}. */
export function orderToBias(blocks: Float32Array, units: number, order: readonly number[]): Float32Array {
  const out = new Float32Array(order.length * units);
  order.forEach((dst, k) => {
    out.set(blocks.subarray(k * units, (k + 1) * units), dst * units);
  });
  return out;
}

/** `[rows, cols]` → `[cols, rows]`. */
export function transpose2d(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c]!;
  return out;
}
