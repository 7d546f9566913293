import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ndjson, tempDir } from './fixtures';
import { binPath, runCli } from './run-cli';

describe('Ctrl-C during gruvision train', () => {
  it('stops after the current batch, keeps the checkpoint and says how to resume', async () => {
    const cwd = tempDir('interrupt');
    const out = join(cwd, 'm');
    const child = spawn(
      process.execPath,
      [
        binPath,
        'train',
        '--limit',
        '2000',
        '--test-limit',
        '100',
        '--units',
        '8',
        '--epochs',
        '50',
        '--out',
        out,
        '--json',
      ],
      { cwd, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      // Interrupt once the first epoch (and so its checkpoint) is done.
      if (!interrupted && stdout.includes('"type":"epoch"')) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(130);
    expect(stderr).toContain('stopping after this batch');
    expect(stderr).toContain(`Resume with: gruvision train --resume ${out}.checkpoints`);
    const last = ndjson(stdout).at(-1);
    expect(last).toMatchObject({ type: 'result', aborted: true, checkpoints: `${out}.checkpoints` });
    expect(existsSync(join(out, 'model.json'))).toBe(false);

    // The printed command continues the run (here with a smaller budget so the test stays short).
    const resumed = await runCli(
      ['train', '--resume', `${out}.checkpoints`, '--epochs', String((last!.epochsCompleted as number) + 1)],
      {
        cwd,
      },
    );
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain(`model saved to ${out}`);
  });
});
