import type { Callback } from './callbacks';

/**
 * Stops training when `signal` aborts: the loop ends after the batch being trained (or before the
 * next epoch), and `fit` resolves with `stopReason: 'aborted'`.
 */
export function abortOn(signal: AbortSignal): Callback {
  let listener: (() => void) | undefined;
  return {
    onTrainBegin(_info, run) {
      if (signal.aborted) run.stop('aborted');
      listener = () => run.stop('aborted');
      signal.addEventListener('abort', listener, { once: true });
    },
    onTrainEnd() {
      if (listener) signal.removeEventListener('abort', listener);
    },
  };
}
