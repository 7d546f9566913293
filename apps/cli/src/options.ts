import { InvalidArgumentError } from 'commander';

// Option parsers for commander: each validates at the edge and throws `InvalidArgumentError`,
// which commander reports as a usage error (exit code 2) naming the option.

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError(`expected a positive whole number, got "${value}".`);
  }
  return n;
}

export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError(`expected a whole number ≥ 0, got "${value}".`);
  }
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new InvalidArgumentError(`expected a number > 0, got "${value}".`);
  }
  return n;
}

/** A fraction in [0, 1) such as a dropout rate or a validation share. */
export function fraction(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n >= 1) {
    throw new InvalidArgumentError(`expected a number in [0, 1), got "${value}".`);
  }
  return n;
}

export function choice<T extends string>(allowed: readonly T[]): (value: string) => T {
  return (value: string): T => {
    if (!(allowed as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`expected one of ${allowed.join(', ')}, got "${value}".`);
    }
    return value as T;
  };
}

/** A comma-separated list, each item parsed by `item`: `32,64,128`. */
export function list<T>(item: (value: string) => T): (value: string) => T[] {
  return (value: string): T[] => {
    const parts = value
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    if (parts.length === 0)
      throw new InvalidArgumentError(`expected a comma-separated list, got "${value}".`);
    return parts.map((p) => {
      try {
        return item(p);
      } catch (error) {
        throw new InvalidArgumentError(`in "${value}": ${(error as Error).message}`);
      }
    });
  };
}

const BYTE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** A size in bytes: `1073741824`, `512MiB`, `4G`, `1.5GB` (K, M, G, T are powers of 1024). */
export function byteSize(value: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(value);
  const n = match ? Number(match[1]) * BYTE_UNITS[match[2]!.toLowerCase()]! : Number.NaN;
  if (!Number.isFinite(n) || n < 1 || !Number.isSafeInteger(Math.floor(n))) {
    throw new InvalidArgumentError(
      `expected a size such as 512MiB, 4GiB or 1073741824 (bytes), got "${value}".`,
    );
  }
  return Math.floor(n);
}
