// Runs in headless Chromium (see browser-parallel.ts): trains over 2 Web Workers and posts the results.
import { browserParallelMathEngine } from '../src/browser';
import { MathNetwork, type ModelSpec, Rng } from '../src/index';

const spec: ModelSpec = {
  timeSteps: 5,
  features: 4,
  classes: 3,
  layers: [{ cell: 'gru', units: 6, dropout: 0.2, recurrentDropout: 0.1 }],
  headDropout: 0.25,
};
const options = { seed: 11, optimizer: { type: 'adam' as const, learningRate: 0.01 }, l2: 1e-3 };

async function train(net: { trainBatch: MathNetwork['trainBatch'] }): Promise<number[]> {
  const losses: number[] = [];
  for (const [i, batch] of [7, 8, 1, 7].entries()) {
    const rng = new Rng(100 + i);
    const x = Float32Array.from({ length: batch * 20 }, () => rng.uniform(-1, 1));
    const y = Int32Array.from({ length: batch }, () => rng.int(3));
    losses.push((await net.trainBatch(x, y, batch)).loss);
  }
  return losses;
}

const flat = (net: { getWeights: MathNetwork['getWeights'] }): number[] =>
  net.getWeights().flatMap((w) => Array.from(w.values));

async function run(): Promise<unknown> {
  const isolated = globalThis.crossOriginIsolated === true;
  try {
    const ref = new MathNetwork(spec, options);
    const refLosses = await train(ref);
    const one = await browserParallelMathEngine({ threads: 1 }).create(spec, options);
    const oneLosses = await train(one);
    const [a, b] = [
      await browserParallelMathEngine({ threads: 2 }).create(spec, options),
      await browserParallelMathEngine({ threads: 2 }).create(spec, options),
    ];
    const [lossesA, lossesB] = [await train(a), await train(b)];
    const refW = flat(ref);
    const maxDiff = Math.max(...flat(a).map((v, i) => Math.abs(v - refW[i]!)));
    const x = Float32Array.from({ length: 16 * 20 }, (_, i) => Math.sin(i));
    const [pa, pr] = [await a.predict(x, 16), await ref.predict(x, 16)];
    const result = {
      isolated,
      threads: a.threads,
      oneEqualsMath:
        JSON.stringify(oneLosses) === JSON.stringify(refLosses) &&
        JSON.stringify(flat(one)) === JSON.stringify(refW),
      deterministic:
        JSON.stringify(lossesA) === JSON.stringify(lossesB) &&
        JSON.stringify(flat(a)) === JSON.stringify(flat(b)),
      maxWeightDiffVsMath: maxDiff,
      maxLossDiffVsMath: Math.max(...lossesA.map((l, i) => Math.abs(l - refLosses[i]!))),
      maxPredictDiffVsMath: Math.max(...Array.from(pa, (p, i) => Math.abs(p - pr[i]!))),
    };
    for (const net of [one, a, b]) net.dispose();
    return result;
  } catch (error) {
    return { isolated, error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

const result = await run();
await fetch('/result', { method: 'POST', body: JSON.stringify(result) });
