import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is examples/src/readme-blocks.ts). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** One fenced code block of a README. */
export interface CodeBlock {
  /** README path relative to the repository root. */
  readonly readme: string;
  /** 1-based position among the README's TypeScript blocks. */
  readonly index: number;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The fence's info string, e.g. `ts` or `ts browser`. */
  readonly info: string;
  readonly code: string;
}

/** Every README of the repository: the root one and one per package or app. */
export function readmePaths(root = repoRoot): string[] {
  const paths = ['README.md'];
  for (const group of ['packages', 'apps']) {
    for (const name of readdirSync(join(root, group)).sort()) {
      const path = join(root, group, name, 'README.md');
      try {
        readFileSync(path);
        paths.push(relative(root, path));
      } catch {
        // a package without a README
      }
    }
  }
  return paths;
}

/** The TypeScript blocks (```ts, ```ts browser, ```typescript) of a Markdown text. */
export function typeScriptBlocks(markdown: string, readme: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(ts|typescript)\b(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i]!.startsWith('```'); i++) body.push(lines[i]!);
    blocks.push({
      readme,
      index: blocks.length + 1,
      line: start + 1,
      info: `${open[1]}${open[2]}`.trim(),
      code: `${body.join('\n')}\n`,
    });
  }
  return blocks;
}

/** Blocks marked `ts browser` need a page (Web Workers, fetch of a URL): type-checked, not run in Node. */
export function runsInNode(block: CodeBlock): boolean {
  return !/\bbrowser\b/.test(block.info);
}

/** A replacement that makes a README example quick enough for a test, asserted to apply. */
export interface Shortcut {
  readonly find: string;
  readonly replace: string;
}

/** Applies `shortcuts` to `code`; throws when one does not match, so a README edit cannot silently skip it. */
export function applyShortcuts(code: string, shortcuts: readonly Shortcut[], where: string): string {
  let out = code;
  for (const { find, replace } of shortcuts) {
    if (!out.includes(find))
      throw new Error(`${where}: the shortcut for ${JSON.stringify(find)} no longer matches`);
    out = out.split(find).join(replace);
  }
  return out;
}

/**
 * Shortcuts every test run of the library example uses: one epoch on 1 000 training and 200 test
 * images instead of four on the whole of MNIST. `quickData` is imported from `quick-data.ts`.
 */
export function libraryExampleShortcuts(quickDataModule: string): Shortcut[] {
  return [
    {
      find: "import { GruClassifier } from '@gruvision/classifier';",
      replace: `import { GruClassifier } from '@gruvision/classifier';\nimport { quickData } from '${quickDataModule}';`,
    },
    { find: 'await mnist()', replace: 'quickData(await mnist())' },
    { find: 'epochs: 4,', replace: 'epochs: 1,' },
  ];
}
