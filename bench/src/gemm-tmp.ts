import { allocFloat, gemmNN, gemmTN, setKernels } from '@gruvision/math';
setKernels('wasm');
function bench(name: string, M: number, N: number, K: number, tn: boolean) {
  const a = allocFloat('float32', M * K) as Float32Array, b = allocFloat('float32', K * N) as Float32Array, c = allocFloat('float32', M * N) as Float32Array;
  a.fill(0.5); b.fill(0.25);
  const run = () => tn ? gemmTN(c, 0, N, a, 0, M, b, 0, N, M, N, K, 1) : gemmNN(c, 0, N, a, 0, K, b, 0, N, M, N, K, 0);
  for (let i = 0; i < 10; i++) run();
  const R = Math.ceil(3e9 / (2 * M * N * K));
  const c0 = process.cpuUsage(); const t = performance.now();
  for (let i = 0; i < R; i++) run();
  const w = performance.now() - t; const u = process.cpuUsage(c0); const cpu = (u.user + u.system) / 1000;
  console.log(name, 'wall', (2 * M * N * K * R / w / 1e6).toFixed(1), 'cpu', (2 * M * N * K * R / cpu / 1e6).toFixed(1), 'GFLOP/s');
}
bench('NN 128x256x128', 128, 256, 128, false);
bench('NN 128x128x128', 128, 128, 128, false);
bench('NN 3584x384x28', 3584, 384, 28, false);
bench('TN 128x384x3584', 128, 384, 3584, true);
bench('NN 1x384x128', 1, 384, 128, false);
