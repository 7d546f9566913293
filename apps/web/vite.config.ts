import { defaultClientConditions, defineConfig } from 'vite';

export default defineConfig({
  resolve: { conditions: ['@gruvision/source', ...defaultClientConditions] },
  worker: { format: 'es' },
  build: { target: 'es2022' },
});
