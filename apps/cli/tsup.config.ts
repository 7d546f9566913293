import { defineConfig } from 'tsup';

// The binary bundles the workspace libraries from their TypeScript sources (the `@gruvision/source`
// condition), so `dist/bin.js` runs without building every package first; third-party packages
// (commander, tfjs, the datasets, the image decoders) stay external and resolve from node_modules.
// The math core's worker-thread script is emitted beside the binary, where its parallel engine
// looks for it (`./parallel-worker.js` next to the running module).
export default defineConfig({
  entry: { bin: 'src/bin.ts', 'parallel-worker': '../../packages/math/src/parallel/worker.ts' },
  format: ['esm'],
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  banner: { js: '#!/usr/bin/env node' },
  noExternal: [/^@gruvision\//],
  external: [/^@tensorflow\//],
  esbuildOptions(options) {
    options.conditions = ['@gruvision/source', 'module', 'import'];
  },
});
