import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCheckpoint } from '@gruvision/classifier/node';
import { decodeImage } from '@gruvision/data';
import { encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { describeError } from './errors';
import { endQuietlyOnClosedOutput } from './ui/io';

const errno = (code: string, path?: string) =>
  Object.assign(new Error(`${code}: something`), { code, ...(path ? { path } : {}) });

describe('describeError for file-system failures', () => {
  it('names the cause of a full disk, with or without a path, and never asks for a bug report', () => {
    const full = describeError(errno('ENOSPC'), false);
    expect(full.text).toBe(
      'error: no space left on the device (ENOSPC). Free some space or choose a writable folder and run again.',
    );
    expect(describeError(errno('ENOSPC', '/m/weights.bin'), false).text).toContain(
      'error: /m/weights.bin: no space left on the device (ENOSPC).',
    );
  });

  it('says read-only rather than "does not exist"', () => {
    const text = describeError(errno('EROFS', '/ro/model'), false).text;
    expect(text).toBe(
      'error: /ro/model: the file system is read-only (EROFS). Free some space or choose a writable folder and run again.',
    );
    expect(text).not.toContain('does not exist');
  });
});

describe('a closed stdout', () => {
  it('ends the command with exit code 0 on EPIPE and rethrows anything else', () => {
    const listeners: ((e: NodeJS.ErrnoException) => void)[] = [];
    const codes: number[] = [];
    endQuietlyOnClosedOutput({ on: (_event, l) => listeners.push(l) }, (code) => codes.push(code));
    listeners[0]!(errno('EPIPE'));
    expect(codes).toEqual([0]);
    expect(() => listeners[0]!(errno('EIO'))).toThrow('EIO');
  });
});

describe('library errors in the words of the command line', () => {
  const text = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      return describeError(error, false).text;
    }
    throw new Error('expected an error');
  };

  it('names the flag, not the JS option, when a picture is over --max-pixels', () => {
    const big = encode({ width: 20, height: 10, data: new Uint8Array(200), channels: 1, depth: 8 });
    const message = text(() => decodeImage(big, 'wide.png', { maxPixels: 100 }));
    expect(message).toContain('wide.png: the PNG image is 20×10 = 200 pixels, more than the limit of 100.');
    expect(message).toContain('raise the limit if you trust the file (--max-pixels).');
    expect(message).not.toContain('maxPixels');
  });

  it('says to remove a file that is not a picture, not to set skipInvalid', () => {
    const message = text(() => decodeImage(new TextEncoder().encode('hello world'), 'cats/notes.txt'));
    expect(message).toContain('cats/notes.txt: not a PNG or JPEG image');
    expect(message).toContain('Convert it to PNG or JPEG, or remove it from the folder.');
    expect(message).not.toMatch(/skipInvalid|readImageFolder/);
  });

  it("points a wrong --resume folder at the run's checkpoints, not at checkpointDirectory()", async () => {
    const empty = mkdtempSync(join(tmpdir(), 'gruvision-not-checkpoints-'));
    const message = await loadCheckpoint(empty).then(
      () => 'no error',
      (error: unknown) => describeError(error, false).text,
    );
    expect(message).toContain(`${empty}: no checkpoint there`);
    expect(message).toContain(
      'Pass --resume the <out>.checkpoints folder of the run, or one of its epoch-NNNN folders.',
    );
    expect(message).not.toContain('checkpointDirectory()');
  });
});
