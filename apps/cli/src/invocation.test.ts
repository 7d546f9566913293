import { describe, expect, it } from 'vitest';
import { invocation } from './invocation';

const linked = '/home/me/project/node_modules/@gruvision/cli/bin/gruvision.js';
const pnpm = 'pnpm/10.34.9 npm/? node/v20.20.2 linux x64';

describe('invocation', () => {
  it('names the form the user ran', () => {
    expect(invocation({ npm_config_user_agent: pnpm, npm_command: 'run-script' }, linked)).toBe(
      'pnpm gruvision',
    );
    expect(invocation({ npm_config_user_agent: pnpm }, linked)).toBe('pnpm exec gruvision');
    expect(invocation({ npm_config_user_agent: 'npm/10.8.2 node/v20', npm_command: 'exec' }, linked)).toBe(
      'npx gruvision',
    );
    expect(invocation({}, '/usr/lib/node_modules/@gruvision/cli/bin/gruvision.js')).toBe('gruvision');
  });

  it('ignores package-manager variables inherited by a directly started binary', () => {
    expect(
      invocation({ npm_config_user_agent: pnpm, npm_command: 'run-script' }, '/repo/apps/cli/dist/bin.js'),
    ).toBe('gruvision');
  });
});
