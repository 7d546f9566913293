/** Thrown for a request that a newer one of the same kind made pointless before it started. */
export class SupersededError extends Error {
  readonly code = 'SUPERSEDED';
  constructor() {
    super('A newer choice replaced this one before it started.');
    this.name = 'SupersededError';
  }
}

/** Runs async jobs one at a time, in the order they were queued; a failed job does not stop later ones. */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(job, job);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
