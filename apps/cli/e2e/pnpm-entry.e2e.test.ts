import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ndjson, writeDigitPngs } from './fixtures';
import { repoRoot, repoSubfolder, runPnpm } from './run-pnpm';

// `pnpm gruvision …` as the README tells a user to type it, from their own folder inside the clone.
const cwd = repoSubfolder('pnpm-entry');
const tiny = ['--limit', '300', '--test-limit', '50', '--units', '8', '--epochs', '1'];

describe('pnpm gruvision from a sub-folder of the repository', () => {
  let train: Awaited<ReturnType<typeof runPnpm>>;
  beforeAll(async () => {
    train = await runPnpm(['gruvision', 'train', ...tiny, '--out', 'digits', '--json'], cwd);
  }, 180_000);

  it('prints nothing but JSON on stdout with --json', () => {
    expect(train.code).toBe(0);
    const events = ndjson(train.stdout); // throws on pnpm's "> gruvision-monorepo@ …" banner
    expect(events.at(-1)).toMatchObject({ type: 'result', modelDir: join(cwd, 'digits') });
  });

  it('resolves relative paths against the folder the user ran it from', () => {
    expect(existsSync(join(cwd, 'digits', 'model.json'))).toBe(true);
    expect(existsSync(join(repoRoot, 'digits'))).toBe(false);
  });

  it('writes explain pictures into the ignored runs/ folder of the user, or where --out says', async () => {
    const [digit] = await writeDigitPngs(cwd, [0]);
    const picture = relative(cwd, digit!.file);
    const result = await runPnpm(['gruvision', 'explain', 'digits', picture, '--json'], cwd);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as { picture: string };
    expect(doc.picture).toBe(join(cwd, 'runs', 'digit-0.explain.svg'));
    expect(readFileSync(doc.picture, 'utf8')).toContain('<svg');
    expect(existsSync(join(repoRoot, 'digit-0.explain.svg'))).toBe(false);
    const asked = await runPnpm(['gruvision', 'explain', 'digits', picture, '--out', 'pics/seven.svg'], cwd);
    expect(asked.code).toBe(0);
    expect(existsSync(join(cwd, 'pics', 'seven.svg'))).toBe(true);
  });

  it('ends cleanly when SIGINT reaches the outer pnpm process, with a resume hint in the same form', async () => {
    let interrupted = false;
    const result = await runPnpm(
      [
        'gruvision',
        'train',
        '--limit',
        '2000',
        '--test-limit',
        '50',
        '--units',
        '8',
        '--epochs',
        '50',
        '--out',
        'long',
        '--json',
      ],
      cwd,
      (stdout, child) => {
        // Interrupt once the first epoch (and so its checkpoint) is done.
        if (!interrupted && stdout.includes('"type":"epoch"')) {
          interrupted = true;
          child.kill('SIGINT'); // the pnpm process, as `timeout -s INT` or a supervisor would
        }
      },
    );
    expect(interrupted).toBe(true);
    expect(result.stderr).toContain('stopping after this batch');
    expect(result.stderr).toContain(
      `Resume with: pnpm gruvision train --resume ${join(cwd, 'long')}.checkpoints`,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const last = ndjson(result.stdout).at(-1);
    expect(last).toMatchObject({
      type: 'result',
      aborted: true,
      checkpoints: `${join(cwd, 'long')}.checkpoints`,
    });
    expect(existsSync(join(cwd, 'long.checkpoints', 'latest.json'))).toBe(true);
  });
});
