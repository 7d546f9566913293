/**
 * Runs an async job for the latest input only: while one run is in flight, newer inputs replace each
 * other and only the newest runs next. Live prediction while drawing uses it so a slow engine never
 * builds a queue.
 */
export class LatestOnly<T> {
  readonly #run: (input: T) => Promise<void>;
  #busy = false;
  #pending: { input: T } | null = null;
  #idle: Array<() => void> = [];

  constructor(run: (input: T) => Promise<void>) {
    this.#run = run;
  }

  /** Schedules `input`; returns at once. */
  push(input: T): void {
    this.#pending = { input };
    if (!this.#busy) void this.#drain();
  }

  /** Resolves once nothing is running or pending. */
  whenIdle(): Promise<void> {
    if (!this.#busy && !this.#pending) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  async #drain(): Promise<void> {
    this.#busy = true;
    while (this.#pending) {
      const { input } = this.#pending;
      this.#pending = null;
      try {
        await this.#run(input);
      } catch {
        // The runner reports its own errors; one failed run must not stop later ones.
      }
    }
    this.#busy = false;
    const waiters = this.#idle;
    this.#idle = [];
    for (const resolve of waiters) resolve();
  }
}
