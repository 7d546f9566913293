#!/usr/bin/env node
// Finds import circles: files that import each other, directly or through others. Reads every `.ts`
// file of packages/, apps/ and bench/ (tests too; not node_modules or dist) as text, follows relative
// imports and `@gruvision/*` imports (through each package's `@gruvision/source` export), and prints
// each circle. Exits 1 when there is one.
//
//   node scripts/import-circles.mjs
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const groups = ['packages', 'apps', 'bench'];

const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) files.push(path);
  }
};
for (const group of groups) if (existsSync(join(root, group))) walk(join(root, group));

// `@gruvision/<pkg>` and `@gruvision/<pkg>/<entry>` → the source file its `@gruvision/source` condition names.
const entries = new Map();
for (const group of groups) {
  const base = join(root, group);
  if (!existsSync(base)) continue;
  const dirs = existsSync(join(base, 'package.json')) ? [base] : readdirSync(base).map((d) => join(base, d));
  for (const dir of dirs) {
    const pkgFile = join(dir, 'package.json');
    if (!existsSync(pkgFile)) continue;
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
    for (const [key, value] of Object.entries(pkg.exports ?? {})) {
      const source = typeof value === 'object' && value !== null ? value['@gruvision/source'] : undefined;
      if (source) entries.set(key === '.' ? pkg.name : `${pkg.name}${key.slice(1)}`, resolve(dir, source));
    }
  }
}

const importPattern =
  /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;
const resolveImport = (from, specifier) => {
  if (specifier.startsWith('.')) {
    const base = resolve(dirname(from), specifier);
    const candidates = [base, `${base}.ts`, join(base, 'index.ts'), base.replace(/\.js$/, '.ts')];
    return candidates.find((c) => c.endsWith('.ts') && existsSync(c) && statSync(c).isFile());
  }
  return entries.get(specifier);
};

const graph = new Map();
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const targets = new Set();
  for (const match of text.matchAll(importPattern)) {
    const target = resolveImport(file, match[1] ?? match[2] ?? match[3]);
    if (target && target !== file) targets.add(target);
  }
  graph.set(file, [...targets]);
}

// Tarjan's strongly connected components: every component of two or more files is a circle.
let counter = 0;
const index = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
const circles = [];
const visit = (v) => {
  index.set(v, counter);
  low.set(v, counter);
  counter++;
  stack.push(v);
  onStack.add(v);
  for (const w of graph.get(v) ?? []) {
    if (!index.has(w)) {
      visit(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (onStack.has(w)) {
      low.set(v, Math.min(low.get(v), index.get(w)));
    }
  }
  if (low.get(v) === index.get(v)) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) circles.push(component);
  }
};
for (const v of graph.keys()) if (!index.has(v)) visit(v);

const edges = [...graph.values()].reduce((sum, targets) => sum + targets.length, 0);
console.log(`${graph.size} files, ${edges} imports, ${circles.length} import circle(s)`);
for (const circle of circles) {
  const inCircle = new Set(circle);
  console.log(`\ncircle of ${circle.length} files:`);
  for (const file of circle.sort()) {
    const targets = (graph.get(file) ?? []).filter((t) => inCircle.has(t)).map((t) => relative(root, t));
    console.log(`  ${relative(root, file)} imports ${targets.join(', ')}`);
  }
}
process.exitCode = circles.length > 0 ? 1 : 0;
