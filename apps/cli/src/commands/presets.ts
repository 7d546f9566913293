// `gruvision train --preset <name>`: documented recipes. A preset fills in the options the command line
// does not give (explicit flags always win); train-settings.json and --json record the resolved values.
import type { Command } from 'commander';
import { UsageError } from '../errors';
import { parseAugment } from './training-flags';

/** The raw option values (commander's camelCase keys, parsed values) a preset sets. */
export type PresetValues = Readonly<Record<string, unknown>>;

export const PRESET_NAMES = ['best'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/**
 * `--preset best` for MNIST-style digits (mnist, idx:, folder:): GRU-256 on rows, AdamW with a cosine
 * schedule, shifts/rotations/scaling, label smoothing, head dropout and keep-best. Aims at ≥ 99.2 % on
 * the official MNIST test set within 15 minutes on 2 cores.
 */
const BEST_DIGITS: PresetValues = {
  units: 256,
  epochs: 10,
  batchSize: 128,
  lr: 2e-3,
  optimizer: 'adamw',
  schedule: 'cosine',
  validation: 0.05,
  augment: parseAugment('shift=2,rotate=10,scale=0.1'),
  labelSmoothing: 0.1,
  headDropout: 0.2,
  keepBest: 'valAccuracy',
};

/**
 * `--preset best` for Fashion-MNIST: the digits recipe with more epochs, no rotation or scaling (clothes
 * are upright and centred) but shifts and cutout, and more head dropout. Aims at ≥ 91 % on the official
 * test set (`--dataset fashion-mnist:DIR`).
 */
const BEST_FASHION: PresetValues = {
  units: 256,
  epochs: 25,
  batchSize: 128,
  lr: 2e-3,
  optimizer: 'adamw',
  schedule: 'cosine',
  validation: 0.05,
  augment: parseAugment('shift=2,cutout=8'),
  labelSmoothing: 0.1,
  headDropout: 0.3,
  keepBest: 'valAccuracy',
};

const PRESETS: Record<PresetName, { readonly digits: PresetValues; readonly fashion: PresetValues }> = {
  best: { digits: BEST_DIGITS, fashion: BEST_FASHION },
};

/** The recipe of `preset` for `dataset`: Fashion-MNIST's for fashion-mnist[:DIR], else the digits'. */
export function presetValues(preset: PresetName, dataset: string): PresetValues {
  const recipes = PRESETS[preset];
  return dataset.startsWith('fashion-mnist') ? recipes.fashion : recipes.digits;
}

/** `--preset` in help words: every value of both recipes, as flags. */
export const PRESET_HELP = `
--preset best (explicit flags override any of these):
  MNIST, idx:, folder:  ${presetFlags(BEST_DIGITS)}
  fashion-mnist[:DIR]   ${presetFlags(BEST_FASHION)}
  Aims at ≥ 99.2 % on the official MNIST test set within 15 minutes on 2 cores, and ≥ 91 % on the official
  Fashion-MNIST test set (--dataset fashion-mnist:DIR with Zalando's files).`;

function presetFlags(values: PresetValues): string {
  return Object.entries(values)
    .map(([key, value]) => {
      const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
      if (key === 'augment') {
        const names: Record<string, string> = { maxShift: 'shift' };
        return `${flag} ${Object.entries(value as Record<string, number>)
          .map(([k, v]) => `${names[k] ?? k}=${v}`)
          .join(',')}`;
      }
      if (key === 'keepBest') return `${flag} ${value === 'valAccuracy' ? 'val_accuracy' : 'val_loss'}`;
      return `${flag} ${String(value)}`;
    })
    .join(' ');
}

/**
 * Fills `raw` with the preset's values for every option not given on the command line. Returns the
 * options it set (for the log), or [] without `--preset`.
 */
export function applyPreset(command: Command, raw: Record<string, unknown>): string[] {
  const preset = raw.preset as PresetName | undefined;
  if (preset === undefined) return [];
  if (!PRESET_NAMES.includes(preset)) {
    throw new UsageError(`--preset ${String(preset)} is not a preset: use ${PRESET_NAMES.join(', ')}.`);
  }
  const set: string[] = [];
  for (const [key, value] of Object.entries(presetValues(preset, String(raw.dataset)))) {
    if (command.getOptionValueSource(key) === 'cli') continue;
    raw[key] = value;
    set.push(key);
  }
  return set;
}
