/** What a `Trace` records of one direction of one recurrent layer after a forward pass of one sample. */
import { MIN_GRU_GATES } from './cells/min-gru';
import { MIN_LSTM_GATES } from './cells/min-lstm';
import type { RecurrentWorkspace } from './cells/workspace';
import { type CellType, isMinCell } from './spec';

/** Gate names of a cell in a `Trace` (SimpleRNN: none). */
function traceGateNames(cell: CellType): readonly string[] {
  switch (cell) {
    case 'gru':
      return ['z', 'r', 'hCandidate'];
    case 'lstm':
      return ['i', 'f', 'o', 'c'];
    case 'mingru':
      return MIN_GRU_GATES;
    case 'minlstm':
      return MIN_LSTM_GATES;
    default:
      return [];
  }
}

/**
 * The states h [T,u] and the gates (each [T,u], names from `traceGateNames`) of one direction after
 * `forward(x, 1, false)`, indexed by input time.
 */
export function directionTrace(
  ws: RecurrentWorkspace,
  cell: CellType,
): { h: Float32Array; gates: Record<string, Float32Array> } {
  const { T, G } = ws;
  const u = ws.config.units;
  const h = new Float32Array(T * u);
  const gates: Record<string, Float32Array> = {};
  const names = traceGateNames(cell);
  for (const n of names) gates[n] = new Float32Array(T * u);
  for (let s = 0; s < T; s++) {
    const t = ws.config.goBackwards ? T - 1 - s : s;
    for (let j = 0; j < u; j++) {
      h[t * u + j] = ws.hs[(s + 1) * u + j]!;
      if (cell === 'gru') {
        gates.z![t * u + j] = ws.act[s * G + j]!;
        gates.r![t * u + j] = ws.act[s * G + u + j]!;
        gates.hCandidate![t * u + j] = ws.act[s * G + 2 * u + j]!;
      } else if (cell === 'lstm') {
        gates.i![t * u + j] = ws.act[s * G + j]!;
        gates.f![t * u + j] = ws.act[s * G + u + j]!;
        gates.o![t * u + j] = ws.act[s * G + 3 * u + j]!;
        gates.c![t * u + j] = ws.cs[(s + 1) * u + j]!;
      } else if (isMinCell(cell)) {
        names.forEach((n, k) => {
          gates[n]![t * u + j] = ws.act[s * G + k * u + j]!;
        });
      }
    }
  }
  return { h, gates };
}
