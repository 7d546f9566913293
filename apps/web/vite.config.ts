import { defaultClientConditions, defineConfig } from 'vite';

export default defineConfig({
  // A multi-page app: a missing file is a 404, not index.html (so a missing model says so).
  appType: 'mpa',
  resolve: { conditions: ['@gruvision/source', ...defaultClientConditions] },
  worker: { format: 'es' },
  build: { target: 'es2022' },
});
