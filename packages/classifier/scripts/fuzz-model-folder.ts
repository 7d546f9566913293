// Fuzzes model folders through loadClassifier + predict, and checkpoint folders through loadCheckpoint.
//
//   pnpm fuzz:model                       # 2 minutes, seed 1
//   pnpm fuzz:model --seconds 3600 --seed 7
//   pnpm fuzz:model --cases 500           # a fixed number of inputs
//   pnpm fuzz:model --cases 1 --only 2046875622 --timeout 60   # replay one input by its seed
//
// Each input is a valid folder with one to three mutations (JSON fields replaced or deleted, files
// truncated, extended, linked outside, replaced by a FIFO or /dev/zero, NaN or ±3.4e38 weights, ...).
// Inputs run in a child process, so a hang (no answer within --timeout seconds) or a memory blow-up
// (the child's RSS above --max-rss MiB, or the child dying) is counted and the child restarted.
// Outcomes: accepted (loads, finite predictions), typed (GruClassifierError naming the folder),
// unclear (typed, but the message does not name the folder or relays an internal message),
// crash (any other error), hang, memory. Not part of CI.
import { type ChildProcess, fork } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '@gruvision/math';
import { goodFolders, probeImage } from '../src/__fixtures__/good-folders';
import {
  FILE_MUTATIONS,
  jsonPaths,
  mutateFiles,
  nastyValues,
  setAt,
} from '../src/__fixtures__/model-mutations';
import { GruClassifierError } from '../src/errors';
import { loadCheckpoint, loadClassifier } from '../src/node-io';

type Outcome = 'accepted' | 'typed' | 'unclear' | 'crash' | 'hang' | 'memory';
interface Case {
  readonly index: number;
  readonly seed: number;
}
interface Answer {
  readonly index: number;
  readonly outcome: Outcome;
  readonly what: string;
  readonly message: string;
  readonly rssMiB: number;
}

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};

/** Messages that relay an engine's or runtime's internals instead of saying what is wrong with the file. */
const INTERNAL =
  /undefined|Cannot read prop|is not a function|Offset is outside|Invalid typed array|Maximum call stack|\[object /;

/** A small random JSON value from `rng`. */
function randomJson(rng: Rng, depth = 0): unknown {
  const pick = rng.int(depth > 2 ? 5 : 7);
  if (pick === 0) return null;
  if (pick === 1) return rng.int(2) === 0;
  if (pick === 2) return (rng.uniform(0, 1) - 0.5) * 10 ** rng.int(12);
  if (pick === 3) return rng.int(1 << 20);
  if (pick === 4) return 'abcdefgh'.slice(0, rng.int(9)).repeat(1 + rng.int(4));
  if (pick === 5) return Array.from({ length: rng.int(4) }, () => randomJson(rng, depth + 1));
  return Object.fromEntries(
    Array.from({ length: rng.int(4) }, (_, i) => [`k${i}`, randomJson(rng, depth + 1)]),
  );
}

// ---------------------------------------------------------------- child: runs one input at a time
async function child(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'gruvision-fuzz-model-'));
  const { good, goodJson, ckpt, ckptJson } = await goodFolders(root, 'fuzz');
  const nasty = nastyValues();

  const mutateJson = (rng: Rng, doc: unknown, edits: string[]): unknown => {
    let out = doc;
    for (let e = 1 + rng.int(3); e > 0; e--) {
      const paths = jsonPaths(out);
      const path = paths[rng.int(paths.length)]!;
      const r = rng.int(10);
      const value = r < 2 ? undefined : r < 6 ? nasty[rng.int(nasty.length)] : randomJson(rng);
      edits.push(
        `${path.join('.') || '(root)'}=${value === undefined ? 'deleted' : JSON.stringify(value)?.slice(0, 40)}`,
      );
      out = setAt(out, path, value);
    }
    return out;
  };

  process.on('message', async (c: Case) => {
    const rng = new Rng(c.seed);
    const dir = join(root, `case-${c.index}`);
    const scratch = join(root, `scratch-${c.index}`);
    const kind = rng.int(20);
    const edits: string[] = [];
    let outcome: Outcome;
    let message = '';
    try {
      cpSync(kind < 3 ? ckpt : good, dir, { recursive: true });
      cpSync(good, scratch, { recursive: true });
      if (kind < 3) {
        edits.push('checkpoint.json:');
        const doc = mutateJson(rng, ckptJson, edits);
        writeFileSync(join(dir, 'epoch-0001', 'checkpoint.json'), JSON.stringify(doc) ?? '');
        process.send!({ loading: true });
        const loaded = await loadCheckpoint(dir, { runId: 'fuzz' });
        if (Object.getPrototypeOf(loaded.optimizer.slots) !== Object.prototype)
          throw new Error('prototype changed');
      } else {
        if (kind < 12) {
          edits.push('model.json:');
          writeFileSync(join(dir, 'model.json'), JSON.stringify(mutateJson(rng, goodJson, edits)) ?? '');
        } else {
          const mutation = FILE_MUTATIONS[rng.int(FILE_MUTATIONS.length)]!;
          edits.push(mutation);
          mutateFiles(dir, scratch, mutation, rng.uniform(0, 1));
        }
        process.send!({ loading: true });
        const loaded = await loadClassifier(dir);
        const [p] = await loaded.predict(probeImage);
        if (!p!.probabilities.every((x) => Number.isFinite(x)))
          throw new Error('non-finite probabilities accepted');
        loaded.dispose();
      }
      outcome = 'accepted';
    } catch (error) {
      message = error instanceof Error ? error.message : String(error);
      if (!GruClassifierError.isInstance(error)) outcome = 'crash';
      else if (!message.includes(dir) || INTERNAL.test(message) || message.includes('root:x'))
        outcome = 'unclear';
      else outcome = 'typed';
    }
    rmSync(dir, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
    const answer: Answer = {
      index: c.index,
      outcome,
      what: edits.join(' '),
      message: message.slice(0, 300),
      rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
    };
    process.send!(answer);
  });
  process.on('exit', () => rmSync(root, { recursive: true, force: true }));
  process.send!({ ready: true });
}

// ---------------------------------------------------------------- parent: schedules, times, counts
async function parent(): Promise<void> {
  const seconds = option('seconds', 120);
  const maxCases = option('cases', Number.POSITIVE_INFINITY);
  const seed = option('seed', 1);
  const timeoutMs = option('timeout', 10) * 1000;
  const maxRss = option('max-rss', 1024);
  const rng = new Rng(seed);
  const counts: Record<Outcome, number> = { accepted: 0, typed: 0, unclear: 0, crash: 0, hang: 0, memory: 0 };
  const examples: Partial<Record<Outcome, string[]>> = {};
  const record = (o: Outcome, text: string) => {
    counts[o]++;
    const list = (examples[o] ??= []);
    if (list.length < 5) list.push(text);
  };
  const end = Date.now() + seconds * 1000;
  let tried = 0;

  const start = (): Promise<ChildProcess> =>
    new Promise((resolve, reject) => {
      const c = fork(fileURLToPath(import.meta.url), ['--child'], {
        execArgv: ['--import', 'tsx', '--conditions=@gruvision/source', `--max-old-space-size=${maxRss}`],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      c.once('message', () => resolve(c));
      c.once('error', reject);
    });

  let worker = await start();
  while (Date.now() < end && tried < maxCases) {
    const only = option('only', -1);
    const c: Case = { index: tried, seed: only >= 0 ? only : rng.int(2 ** 31) };
    tried++;
    // The clock runs from the moment the child starts loading (making a mutated folder is not timed).
    const answer = await new Promise<Answer | 'hang' | 'died'>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const onExit = () => {
        clearTimeout(timer);
        resolve('died');
      };
      const onMessage = (m: Answer | { loading: true }) => {
        if ('loading' in m) {
          timer = setTimeout(() => resolve('hang'), timeoutMs);
          return;
        }
        clearTimeout(timer);
        worker.off('exit', onExit);
        worker.off('message', onMessage);
        resolve(m);
      };
      worker.once('exit', onExit);
      worker.on('message', onMessage);
      worker.send(c);
    });
    if (answer === 'hang' || answer === 'died') {
      record(answer === 'hang' ? 'hang' : 'memory', `case ${c.index} (seed ${c.seed}): ${answer}`);
      worker.kill('SIGKILL');
      worker = await start();
      continue;
    }
    if (answer.rssMiB > maxRss) {
      record('memory', `case ${c.index} (seed ${c.seed}): ${answer.rssMiB} MiB after ${answer.what}`);
      worker.kill('SIGKILL');
      worker = await start();
      continue;
    }
    record(answer.outcome, `case ${c.index} (seed ${c.seed}) ${answer.what} → ${answer.message}`);
    if (only >= 0) console.log(`${answer.outcome}: ${answer.what} → ${answer.message}`);
    if (tried % 250 === 0) process.stderr.write(`${tried} inputs, ${JSON.stringify(counts)}\n`);
  }
  worker.kill('SIGKILL');
  const typed = counts.typed + counts.accepted;
  console.log(`model-folder fuzz, seed ${seed}, ${tried} inputs`);
  console.log('| inputs tried | typed (incl. accepted) | accepted | unclear | crash | hang | memory |');
  console.log('|---|---|---|---|---|---|---|');
  console.log(
    `| ${tried} | ${typed} | ${counts.accepted} | ${counts.unclear} | ${counts.crash} | ${counts.hang} | ${counts.memory} |`,
  );
  for (const o of ['unclear', 'crash', 'hang', 'memory'] as const) {
    for (const e of examples[o] ?? []) console.log(`${o}: ${e}`);
  }
  process.exitCode = counts.unclear + counts.crash + counts.hang + counts.memory > 0 ? 1 : 0;
}

if (args.includes('--child')) await child();
else await parent();
