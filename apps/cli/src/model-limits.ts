import type { ArtifactLimits } from '@gruvision/classifier';
import type { Command } from 'commander';
import { byteSize, positiveInt } from './options';

/**
 * The model size limits of `@gruvision/classifier` (`ModelLimits`, plus the loader's `model.json`
 * size) as CLI flags: what a model may ask for before it is built or loaded. Each bounds memory or
 * time that a small file could otherwise demand; raise one on purpose for a model you trust.
 */
export const MODEL_LIMIT_FLAGS = {
  maxLayers: { flag: '--max-layers', what: 'recurrent layers', fallback: '64', parse: positiveInt },
  maxUnits: {
    flag: '--max-units',
    what: 'units of one recurrent layer',
    fallback: '4096',
    parse: positiveInt,
  },
  maxTimeSteps: { flag: '--max-time-steps', what: 'sequence length', fallback: '16384', parse: positiveInt },
  maxFeatures: {
    flag: '--max-features',
    what: 'inputs per time step',
    fallback: '65536',
    parse: positiveInt,
  },
  maxClasses: { flag: '--max-classes', what: 'classes', fallback: '16384', parse: positiveInt },
  maxInputValues: {
    flag: '--max-input-values',
    what: 'values of one input image, height × width × channels',
    fallback: '16777216',
    parse: positiveInt,
  },
  maxWeightBytes: { flag: '--max-weight-size', what: 'weights, in bytes', fallback: '1GiB', parse: byteSize },
  maxModelJsonBytes: {
    flag: '--max-model-json-size',
    what: 'model.json file',
    fallback: '16MiB',
    parse: byteSize,
  },
} as const satisfies Record<
  keyof ArtifactLimits,
  { flag: string; what: string; fallback: string; parse: (value: string) => number }
>;

type LimitName = keyof typeof MODEL_LIMIT_FLAGS;

/** Adds the model size limit flags to a command that builds or loads a model. */
export function addModelLimitOptions(command: Command): Command {
  for (const { flag, what, fallback, parse } of Object.values(MODEL_LIMIT_FLAGS)) {
    const value = parse === byteSize ? '<size>' : '<n>';
    command.option(
      `${flag} ${value}`,
      `largest model to build or load: ${what} (default ${fallback}). Raise it for a model you trust`,
      parse,
    );
  }
  return command;
}

/** The limits the flags set (library defaults for those not given), as `limits` of the library. */
export function modelLimitsFrom(raw: Record<string, unknown>): ArtifactLimits {
  const limits: Record<string, number> = {};
  for (const name of Object.keys(MODEL_LIMIT_FLAGS) as LimitName[]) {
    // Commander's attribute name of `--max-units` is `maxUnits`, of `--max-weight-size` `maxWeightSize`.
    const key = MODEL_LIMIT_FLAGS[name].flag.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (typeof raw[key] === 'number') limits[name] = raw[key];
  }
  return limits as ArtifactLimits;
}

/**
 * The library's refusal of an oversized model, in CLI words: the limit's flag and the value that
 * lets this model through (`… (limit maxUnits). Raise it with --max-units 20000 …`), instead of
 * the library option it names. `undefined` for other messages.
 */
export function withLimitFlag(message: string): string | undefined {
  const match = /^(.*? is (\d+), more than the \d+ .*?\(limit (max\w+)\))/s.exec(message);
  if (!match || !Object.hasOwn(MODEL_LIMIT_FLAGS, match[3]!)) return undefined;
  const { flag } = MODEL_LIMIT_FLAGS[match[3] as LimitName];
  return (
    `${match[1]}. Raise it with ${flag} ${match[2]} if you trust the model and have the memory ` +
    '(in every command that builds or loads this model).'
  );
}
