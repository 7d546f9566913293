import { describe, expect, it } from 'vitest';
import { expectUsageError } from './fixtures';
import { runCli } from './run-cli';

describe('gruvision binary', () => {
  it('prints its version', async () => {
    const result = await runCli(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('rejects an unknown command with exit code 2 and no stack trace', async () => {
    const result = expectUsageError(
      await runCli(['frobnicate']),
      /unknown command 'frobnicate'|too many arguments/,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
