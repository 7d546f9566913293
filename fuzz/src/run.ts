// `pnpm fuzz`: the long fuzz campaign, run by a maintainer (not in CI). Each target's inputs run in a
// child process; an input that gets no answer within --timeout-ms is a hang, one that grows the
// child's peak memory by more than --memory-mb (or kills it) a memory blow-up. Prints the table of
// outcomes per target and every finding with the command that replays it.
//
//   pnpm fuzz                                   # every target, 60 minutes in all
//   pnpm fuzz --minutes 5 --targets png,jpeg    # a short run of two targets
//   pnpm fuzz --runs 2000 --seed 7              # a fixed number of inputs per target
//   pnpm fuzz --targets png --seed 7 --replay 1234   # one input again, with its full message
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { targets } from './registry';
import { OUTCOMES, type Outcome, runOne } from './target';
import { inputAt, type WorkerJob, type WorkerMessage } from './worker';

const here = dirname(fileURLToPath(import.meta.url));

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '60' },
    runs: { type: 'string' },
    targets: { type: 'string' },
    seed: { type: 'string' },
    'timeout-ms': { type: 'string', default: '10000' },
    'memory-mb': { type: 'string', default: '512' },
    replay: { type: 'string' },
    report: { type: 'string' },
    list: { type: 'boolean', default: false },
  },
});

if (values.list) {
  for (const t of targets) console.log(`${t.name.padEnd(14)} ${t.description}`);
  process.exit(0);
}

const chosen = values.targets
  ? values.targets.split(',').map((name) => {
      const target = targets.find((t) => t.name === name.trim());
      if (!target) {
        console.error(`unknown target '${name}'; the targets are: ${targets.map((t) => t.name).join(', ')}`);
        process.exit(2);
      }
      return target;
    })
  : targets;
const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
const timeoutMs = Number(values['timeout-ms']);
const memoryMb = Number(values['memory-mb']);
const runs = values.runs !== undefined ? Number(values.runs) : undefined;
const perTargetMs = (Number(values.minutes) * 60_000) / chosen.length;

if (values.replay !== undefined) {
  const target = chosen[0]!;
  const index = Number(values.replay);
  const result = await runOne(target, inputAt(target.arbitrary, seed, index));
  console.log(`${target.name} seed ${seed} input ${index}: ${result.outcome}\n${result.message}`);
  process.exit(0);
}

interface Finding {
  target: string;
  index: number;
  outcome: Outcome;
  message: string;
}

type Counts = Record<Outcome, number> & { tried: number };

/** Runs one target until its budget is spent, restarting the child after a hang or a death. */
async function fuzzTarget(name: string): Promise<{ counts: Counts; findings: Finding[] }> {
  const counts = Object.fromEntries([...OUTCOMES.map((o) => [o, 0]), ['tried', 0]]) as Counts;
  const findings: Finding[] = [];
  const deadline = Date.now() + perTargetMs;
  let next = 0;
  const record = (index: number, outcome: Outcome, message: string) => {
    counts.tried++;
    counts[outcome]++;
    if (outcome !== 'accepted' && outcome !== 'typed')
      findings.push({ target: name, index, outcome, message });
  };
  const more = () => (runs !== undefined ? next < runs : Date.now() < deadline);
  while (more()) {
    await new Promise<void>((resolve) => {
      const child: ChildProcess = fork(join(here, 'worker.ts'), [], {
        execArgv: [...process.execArgv, '--max-old-space-size=4096'],
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      });
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => {
        stderr = (stderr + d.toString()).slice(-4000);
      });
      let current: number | undefined;
      let timer: NodeJS.Timeout | undefined;
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        clearTimeout(timer);
        child.kill('SIGKILL');
        resolve();
      };
      const batch = () => {
        if (!more()) return end();
        const to = runs !== undefined ? Math.min(runs, next + 50) : next + 50;
        const job: WorkerJob = { target: name, seed, from: next, to, memoryMb };
        child.send(job);
      };
      child.on('message', (message: WorkerMessage) => {
        if (ended) return; // the child was stopped (deadline, hang); what it still says does not count
        if (message.type === 'start') {
          current = message.index;
          timer = setTimeout(() => {
            if (ended) return;
            record(message.index, 'hang', `no answer after ${timeoutMs} ms`);
            next = message.index + 1;
            current = undefined;
            end();
          }, timeoutMs);
        } else if (message.type === 'done') {
          clearTimeout(timer);
          current = undefined;
          record(message.index, message.outcome, message.message);
          next = message.index + 1;
          if (message.outcome === 'memory') return end(); // a fresh child measures peaks again
          if (!more()) return end();
        } else {
          batch();
        }
      });
      child.on('exit', (code, signal) => {
        if (current !== undefined && !ended) {
          const oom = /heap out of memory|allocation failed|Array buffer allocation/i.test(stderr);
          record(
            current,
            oom ? 'memory' : 'crash',
            `child died (${signal ?? code}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`,
          );
          next = current + 1;
        }
        end();
      });
      child.on('spawn', batch);
    });
  }
  return { counts, findings };
}

console.log(
  `fuzzing ${chosen.map((t) => t.name).join(', ')} with seed ${seed} ` +
    (runs !== undefined ? `(${runs} inputs each)` : `(${values.minutes} minutes in all)`) +
    `, hang after ${timeoutMs} ms, memory blow-up at +${memoryMb} MiB`,
);
const rows: Array<{ name: string; counts: Counts }> = [];
const allFindings: Finding[] = [];
for (const target of chosen) {
  const started = Date.now();
  const { counts, findings } = await fuzzTarget(target.name);
  rows.push({ name: target.name, counts });
  allFindings.push(...findings);
  console.log(
    `${target.name}: ${counts.tried} inputs in ${((Date.now() - started) / 1000).toFixed(0)} s, ` +
      `${findings.length} finding(s)`,
  );
}

const header = ['target', 'inputs tried', ...OUTCOMES];
const table = [
  header,
  ...rows.map(({ name, counts }) => [name, String(counts.tried), ...OUTCOMES.map((o) => String(counts[o]))]),
];
const total = [
  'total',
  ...header
    .slice(1)
    .map((_, k) => String(rows.reduce((n, r) => n + Number(table[rows.indexOf(r) + 1]![k + 1]), 0))),
];
table.push(total);
console.log('');
console.log(`| ${header.join(' | ')} |`);
console.log(`|${header.map(() => ' --- ').join('|')}|`);
for (const row of table.slice(1)) console.log(`| ${row.join(' | ')} |`);
if (allFindings.length > 0) {
  console.log('\nfindings (replay with: pnpm fuzz --targets <target> --seed <seed> --replay <index>):');
  for (const f of allFindings.slice(0, 50)) {
    console.log(`  ${f.target} #${f.index} ${f.outcome}: ${f.message.slice(0, 300)}`);
  }
}
if (values.report) {
  mkdirSync(dirname(values.report), { recursive: true });
  writeFileSync(
    values.report,
    `${JSON.stringify({ seed, timeoutMs, memoryMb, rows, findings: allFindings }, null, 2)}\n`,
  );
}
process.exitCode = allFindings.length > 0 ? 1 : 0;
