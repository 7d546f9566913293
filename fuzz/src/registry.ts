import type { FuzzTarget } from './target';
import { dataTargets } from './targets/data';

/**
 * Every fuzz target. To add one, write a `FuzzTarget` (an arbitrary of inputs and a `run` that feeds
 * one to the parser) under `targets/`, give it a property test beside it, and list it here.
 */
export const targets: readonly FuzzTarget<never>[] = [...dataTargets];

export function findTarget(name: string): FuzzTarget<never> | undefined {
  return targets.find((t) => t.name === name);
}
