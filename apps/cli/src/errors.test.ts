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
