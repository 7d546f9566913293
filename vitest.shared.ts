// Shared Vitest settings for every workspace package.
// - the `@gruvision/source` export condition links sibling packages to their TypeScript sources,
//   so tests never need a prior build;
// - a JSON report per package feeds the `N passed, N failed` line that `.ci/run` prints.
import { defaultClientConditions, defaultServerConditions } from 'vite';
import type { ViteUserConfig } from 'vitest/config';

export const sourceCondition = '@gruvision/source';

export function packageTestConfig(
  overrides: { testTimeout?: number; include?: string[] } = {},
): ViteUserConfig {
  return {
    resolve: { conditions: [sourceCondition, ...defaultClientConditions] },
    ssr: { resolve: { conditions: [sourceCondition, ...defaultServerConditions] } },
    test: {
      include: overrides.include ?? ['src/**/*.test.ts'],
      testTimeout: overrides.testTimeout ?? 60_000,
      // Hooks build models and folders too; under CI's parallel load they need the tests' budget.
      hookTimeout: overrides.testTimeout ?? 60_000,
      reporters: ['default', 'json'],
      outputFile: { json: './.test-results/vitest.json' },
    },
  };
}
