#!/usr/bin/env node
// Sums the real test results of every workspace package (the JSON reports Vitest writes to
// `<package>/.test-results/*.json`, and python/tests/run.py's report of the same shape in
// `python/.test-results/python.json`) and prints one plain line: `N passed, N failed[, N skipped]`.
// Exits 1 when a test failed, or when a package with a `test` (or `test:python`) script left no report.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dirs = ['packages', 'apps']
  .flatMap((group) =>
    existsSync(join(root, group)) ? readdirSync(join(root, group)).map((d) => join(root, group, d)) : [],
  )
  .concat([join(root, 'bench'), join(root, 'python'), join(root, 'fuzz'), join(root, 'examples')]);

let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
const lines = [];
for (const dir of dirs) {
  const pkgFile = join(dir, 'package.json');
  if (!existsSync(pkgFile)) continue;
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
  const reportDir = join(dir, '.test-results');
  const reports = existsSync(reportDir) ? readdirSync(reportDir).filter((f) => f.endsWith('.json')) : [];
  if ((pkg.scripts?.test || pkg.scripts?.['test:python']) && reports.length === 0) missing.push(pkg.name);
  for (const file of reports) {
    const report = JSON.parse(readFileSync(join(reportDir, file), 'utf8'));
    const p = report.numPassedTests ?? 0;
    const f = (report.numFailedTests ?? 0) + (report.numRuntimeErrorTestSuites ?? 0);
    const s = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
    // A suite that failed to load counts as a failure even when it declared no tests.
    const brokenSuites = (report.testResults ?? []).filter(
      (r) => r.status === 'failed' && (r.assertionResults ?? []).length === 0,
    ).length;
    passed += p;
    failed += f + brokenSuites;
    skipped += s;
    lines.push(`${pkg.name} (${file}): ${p} passed, ${f + brokenSuites} failed${s ? `, ${s} skipped` : ''}`);
  }
}
for (const line of lines) console.log(`  ${line}`);
for (const name of missing) {
  console.log(`  ${name}: no test report was written (its test run crashed or did not start)`);
  failed += 1;
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
