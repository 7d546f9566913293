import { defineConfig } from 'vitest/config';

// Browser tests: `pnpm e2e` builds the app, then this config serves `dist/` with `vite preview` on a free
// localhost port (e2e/global-setup.ts) and drives Debian's Chromium through playwright-core.
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.test.ts'],
    globalSetup: ['e2e/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 60_000,
    reporters: ['default', 'json'],
    outputFile: { json: './.test-results/e2e.json' },
  },
});
