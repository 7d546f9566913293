import { defineConfig } from 'tsup';

// `parallel-worker` is the worker_threads entry of `@gruvision/math/node`; it must sit beside the module
// that spawns it (`new URL('./parallel-worker.js', import.meta.url)`), so it is its own top-level entry.
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    kernels: 'src/kernels.ts',
    node: 'src/node.ts',
    'parallel-worker': 'src/parallel/worker.ts',
    browser: 'src/browser.ts',
    'parallel-browser-worker': 'src/parallel/browser-worker.ts',
  },
  format: ['esm'],
  // The browser worker exports nothing, but has a declaration file too, so every entry is typed.
  dts: {
    entry: {
      index: 'src/index.ts',
      kernels: 'src/kernels.ts',
      node: 'src/node.ts',
      browser: 'src/browser.ts',
      'parallel-browser-worker': 'src/parallel/browser-worker.ts',
    },
  },
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
