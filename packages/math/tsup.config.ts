import { libraryBuildConfig } from '../../tsup.shared';

// `parallel-worker` is the worker_threads entry of `@gruvision/math/node`; it must sit beside the module
// that spawns it (`new URL('./parallel-worker.js', import.meta.url)`), so it is its own top-level entry.
const entries = {
  index: 'src/index.ts',
  kernels: 'src/kernels.ts',
  node: 'src/node.ts',
  'parallel-worker': 'src/parallel/worker.ts',
  browser: 'src/browser.ts',
  'parallel-browser-worker': 'src/parallel/browser-worker.ts',
};
// Every entry but the worker_threads one is typed; the browser worker exports nothing, but has a
// declaration file too.
const { 'parallel-worker': _worker, ...typed } = entries;

export default libraryBuildConfig(entries, { entry: typed });
