import { defineConfig } from 'vitest/config';
import { packageTestConfig } from '../../vitest.shared';

const shared = packageTestConfig({
  testTimeout: 180_000,
  include: ['src/**/*.test.ts', 'e2e/**/*.e2e.test.ts'],
});

export default defineConfig({
  ...shared,
  test: { ...shared.test, globalSetup: ['./e2e/global-setup.ts'] },
});
