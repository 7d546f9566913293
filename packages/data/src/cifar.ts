import { GruDataError } from './errors';
import { checkLabels } from './idx';
import type { ImageSet } from './image-set';

/** CIFAR-10's classes, in label order (from `batches.meta.txt`). */
export const CIFAR10_CLASS_NAMES: readonly string[] = Object.freeze([
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
]);

/** CIFAR-100's 100 fine classes, in label order (from `fine_label_names.txt`). */
export const CIFAR100_FINE_CLASS_NAMES: readonly string[] = Object.freeze(
  (
    'apple aquarium_fish baby bear beaver bed bee beetle bicycle bottle bowl boy bridge bus butterfly ' +
    'camel can castle caterpillar cattle chair chimpanzee clock cloud cockroach couch crab crocodile cup ' +
    'dinosaur dolphin elephant flatfish forest fox girl hamster house kangaroo keyboard lamp lawn_mower ' +
    'leopard lion lizard lobster man maple_tree motorcycle mountain mouse mushroom oak_tree orange orchid ' +
    'otter palm_tree pear pickup_truck pine_tree plain plate poppy porcupine possum rabbit raccoon ray ' +
    'road rocket rose sea seal shark shrew skunk skyscraper snail snake spider squirrel streetcar ' +
    'sunflower sweet_pepper table tank telephone television tiger tractor train trout tulip turtle ' +
    'wardrobe whale willow_tree wolf woman worm'
  ).split(' '),
);

/** CIFAR-100's 20 coarse classes (superclasses), in label order (from `coarse_label_names.txt`). */
export const CIFAR100_COARSE_CLASS_NAMES: readonly string[] = Object.freeze(
  (
    'aquatic_mammals fish flowers food_containers fruit_and_vegetables household_electrical_devices ' +
    'household_furniture insects large_carnivores large_man-made_outdoor_things ' +
    'large_natural_outdoor_scenes large_omnivores_and_herbivores medium_mammals ' +
    'non-insect_invertebrates people reptiles small_mammals trees vehicles_1 vehicles_2'
  ).split(' '),
);

/** Options of {@link readCifar}. */
export interface CifarOptions {
  variant: 'cifar10' | 'cifar100';
  /** CIFAR-100 only: which of the two label bytes to use. Default `'fine'` (100 classes). */
  label?: 'coarse' | 'fine';
  /** Name of the input for error messages (a file path, usually). */
  source?: string;
  /** Class names to use instead of the built-in ones (e.g. read from the dataset's meta file). */
  classNames?: readonly string[];
}

const SIDE = 32;
const PLANE = SIDE * SIDE;

/** Bytes per record: the label byte(s), then 1024 R, 1024 G and 1024 B bytes. */
export function cifarRecordSize(variant: 'cifar10' | 'cifar100'): number {
  return (variant === 'cifar100' ? 2 : 1) + 3 * PLANE;
}

/** The built-in class names of a CIFAR variant and label kind. */
export function cifarClassNames(
  variant: 'cifar10' | 'cifar100',
  label: 'coarse' | 'fine' = 'fine',
): readonly string[] {
  if (variant === 'cifar10') return CIFAR10_CLASS_NAMES;
  return label === 'coarse' ? CIFAR100_COARSE_CLASS_NAMES : CIFAR100_FINE_CLASS_NAMES;
}

function checkVariant(options: CifarOptions, source: string): void {
  if (options.variant !== 'cifar10' && options.variant !== 'cifar100') {
    throw new GruDataError(
      'INVALID_ARGUMENT',
      `${source}: unknown CIFAR variant '${String(options.variant)}'. Use 'cifar10' or 'cifar100'.`,
    );
  }
  if (options.label !== undefined && options.label !== 'fine' && options.label !== 'coarse') {
    throw new GruDataError(
      'INVALID_ARGUMENT',
      `${source}: unknown CIFAR-100 label kind '${String(options.label)}'. Use 'fine' or 'coarse'.`,
    );
  }
}

/**
 * Reads one CIFAR binary batch (`data_batch_N.bin`, `test_batch.bin`, `train.bin`, `test.bin`) into a
 * 32×32×3 `ImageSet`, converting the planar R, G, B records to interleaved HWC pixels.
 */
export function readCifar(bytes: Uint8Array, options: CifarOptions): ImageSet {
  const source = options.source ?? 'CIFAR data';
  checkVariant(options, source);
  const recordSize = cifarRecordSize(options.variant);
  if (bytes.length === 0 || bytes.length % recordSize !== 0) {
    const other = options.variant === 'cifar10' ? 'cifar100' : 'cifar10';
    const hint =
      bytes.length > 0 && bytes.length % cifarRecordSize(other) === 0
        ? ` It is a whole number of ${other} records: pass variant '${other}'.`
        : ' The file is truncated or not a CIFAR binary batch; download or extract it again.';
    throw new GruDataError(
      'BAD_RECORD_SIZE',
      `${source}: ${bytes.length} bytes is not a multiple of the ${options.variant} record size ` +
        `${recordSize} (${recordSize - 3 * PLANE} label byte(s) + 3072 pixel bytes).${hint}`,
      { file: source },
    );
  }
  const count = bytes.length / recordSize;
  const labelOffset = options.variant === 'cifar100' && options.label !== 'coarse' ? 1 : 0;
  const classNames = options.classNames ?? cifarClassNames(options.variant, options.label);
  const labels = new Int32Array(count);
  const pixels = new Uint8Array(count * 3 * PLANE);
  const headerSize = recordSize - 3 * PLANE;
  for (let i = 0; i < count; i++) {
    const record = i * recordSize;
    labels[i] = bytes[record + labelOffset]!;
    const r = record + headerSize;
    const out = i * 3 * PLANE;
    for (let p = 0; p < PLANE; p++) {
      const o = out + 3 * p;
      pixels[o] = bytes[r + p]!;
      pixels[o + 1] = bytes[r + PLANE + p]!;
      pixels[o + 2] = bytes[r + 2 * PLANE + p]!;
    }
  }
  checkLabels(labels, classNames.length, source);
  return { count, height: SIDE, width: SIDE, channels: 3, pixels, labels, classNames };
}

/**
 * Writes a 32×32×3 set as a CIFAR binary batch (for tests and exports). For CIFAR-100 both label
 * bytes are needed: `labels` fills the byte chosen by `label` (default fine) and `otherLabels` (default
 * zeros) the other one.
 */
export function writeCifar(
  set: Pick<ImageSet, 'count' | 'height' | 'width' | 'channels' | 'pixels' | 'labels'>,
  options: { variant: 'cifar10' | 'cifar100'; label?: 'coarse' | 'fine'; otherLabels?: ArrayLike<number> },
): Uint8Array {
  if (set.height !== SIDE || set.width !== SIDE || set.channels !== 3) {
    throw new GruDataError(
      'INVALID_ARGUMENT',
      `writeCifar: CIFAR records are 32×32×3, the set is ${set.height}×${set.width}×${set.channels}. ` +
        'Resize and convert it first.',
    );
  }
  const recordSize = cifarRecordSize(options.variant);
  const headerSize = recordSize - 3 * PLANE;
  const out = new Uint8Array(set.count * recordSize);
  const labelByte = options.label === 'coarse' ? 0 : 1;
  for (let i = 0; i < set.count; i++) {
    const record = i * recordSize;
    const label = set.labels[i]!;
    if (label < 0 || label > 255) {
      throw new GruDataError(
        'LABEL_OUT_OF_RANGE',
        `writeCifar: label ${label} of image ${i} does not fit in a byte.`,
      );
    }
    if (options.variant === 'cifar100') {
      out[record + labelByte] = label;
      out[record + 1 - labelByte] = options.otherLabels?.[i] ?? 0;
    } else {
      out[record] = label;
    }
    const r = record + headerSize;
    const src = i * 3 * PLANE;
    for (let p = 0; p < PLANE; p++) {
      out[r + p] = set.pixels[src + 3 * p]!;
      out[r + PLANE + p] = set.pixels[src + 3 * p + 1]!;
      out[r + 2 * PLANE + p] = set.pixels[src + 3 * p + 2]!;
    }
  }
  return out;
}
