import { defaultClientConditions, defineConfig } from 'vite';

export default defineConfig({
  // A multi-page app: a missing file is a 404, not index.html (so a missing model says so).
  appType: 'mpa',
  resolve: { conditions: ['@gruvision/source', ...defaultClientConditions] },
  // Scan the workers too, so the dev server pre-bundles tfjs and the image decoders up front instead of
  // discovering them at run time and reloading the page.
  optimizeDeps: { entries: ['index.html', 'src/*-worker.ts'] },
  worker: { format: 'es' },
  build: { target: 'es2022' },
});
