// Fuzz targets for every parser of @gruvision/data: IDX, IDX.gz, CIFAR, PNG, JPEG, image folders.
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  assertImageSet,
  decodeImage,
  type ImageSet,
  type RawImage,
  readCifar,
  readIdxImageSet,
  writeCifar,
  writeIdxImages,
  writeIdxLabels,
} from '@gruvision/data';
import { readIdxFile, readImageFolder } from '@gruvision/data/node';
import * as fc from 'fast-check';
import { encode as encodePng } from 'fast-png';
import { zlibSync } from 'fflate';
import { encode as encodeJpeg } from 'jpeg-js';
import { concatBytes, mutated } from '../mutate';
import { type FuzzTarget, InvariantViolation, SOURCE } from '../target';

/** Small limits, so an input that gets past them costs little; the runner watches the rest. */
const LIMITS = { maxPixels: 250_000, maxBytes: 32 * 1024 * 1024 };

function check(condition: boolean, what: string): void {
  if (!condition) throw new InvariantViolation(what);
}

function checkSet(set: ImageSet): void {
  assertImageSet(set, SOURCE);
  check(
    set.count >= 0 && set.labels.length === set.count,
    `labels ${set.labels.length} ≠ count ${set.count}`,
  );
}

function checkImage(image: RawImage): void {
  const { width, height, channels, pixels } = image;
  check(Number.isInteger(width) && width >= 1, `width ${width}`);
  check(Number.isInteger(height) && height >= 1, `height ${height}`);
  check(channels >= 1 && channels <= 4, `${channels} channels`);
  check(
    pixels.length === width * height * channels,
    `${pixels.length} bytes for ${width}×${height}×${channels}`,
  );
  check(width * height <= LIMITS.maxPixels, `${width}×${height} decoded past maxPixels`);
}

const sizes = fc.record({
  count: fc.integer({ min: 0, max: 5 }),
  height: fc.integer({ min: 1, max: 6 }),
  width: fc.integer({ min: 1, max: 6 }),
  seed: fc.nat(255),
});

const idxSeed = sizes.map(({ count, height, width, seed }) => ({
  images: writeIdxImages({
    count,
    height,
    width,
    channels: 1,
    pixels: Uint8Array.from({ length: count * height * width }, (_, i) => (i * 31 + seed) % 256),
  }),
  labels: writeIdxLabels(Array.from({ length: count }, (_, i) => (i + seed) % 10)),
}));

/** IDX image and label files, either or both mutated. */
export const idxTarget: FuzzTarget<{ images: Uint8Array; labels: Uint8Array }> = {
  name: 'idx',
  description: 'readIdxImageSet on mutated IDX image and label files',
  arbitrary: idxSeed.chain(({ images, labels }) =>
    fc.oneof(
      fc.record({ images: mutated(fc.constant(images)), labels: fc.constant(labels) }),
      fc.record({ images: fc.constant(images), labels: mutated(fc.constant(labels)) }),
      fc.record({ images: mutated(fc.constant(images)), labels: mutated(fc.constant(labels)) }),
    ),
  ),
  async run({ images, labels }) {
    checkSet(readIdxImageSet(images, labels, { imagesSource: SOURCE, labelsSource: SOURCE }));
  },
};

let zerosMember: Uint8Array | undefined;
/** One gzip member of 1 MiB of zeros (about 1 KiB). */
function zeros(): Uint8Array {
  zerosMember ??= gzipSync(new Uint8Array(1024 * 1024), { level: 9 });
  return zerosMember;
}

function idxHeader(magic: number, dims: readonly number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic);
  for (const [i, d] of dims.entries()) view.setUint32(4 + 4 * i, d);
  return out;
}

/** Gzip IDX files: mutated content, mutated gzip, bombs after honest headers, and lying headers. */
export const idxGzTarget: FuzzTarget<Uint8Array> = {
  name: 'idx-gz',
  description: 'readIdxFile on gzip IDX files: mutated, bombs, lying headers',
  arbitrary: fc.oneof(
    mutated(idxSeed.map((s) => s.images)).map((bytes) => new Uint8Array(gzipSync(bytes))),
    mutated(idxSeed.map((s) => new Uint8Array(gzipSync(s.images)))),
    fc
      .tuple(idxSeed, fc.integer({ min: 1, max: 96 }))
      .map(([s, mib]) => concatBytes([gzipSync(s.images), ...Array.from({ length: mib }, zeros)])),
    fc
      .tuple(
        fc.array(
          fc.oneof(fc.integer({ min: 0, max: 100 }), fc.constantFrom(60_000, 0x7fffffff, 0xffffffff)),
          {
            minLength: 1,
            maxLength: 4,
          },
        ),
        fc.integer({ min: 0, max: 40 }),
      )
      .map(([dims, mib]) =>
        concatBytes([gzipSync(idxHeader(0x800 + dims.length, dims)), ...Array.from({ length: mib }, zeros)]),
      ),
  ),
  async run(bytes, dir) {
    const path = join(dir, 'train-images-idx3-ubyte.gz');
    writeFileSync(path, bytes);
    const { dims, data } = await readIdxFile(path, LIMITS);
    check(dims.reduce((a, b) => a * b, 1) === data.length, `${data.length} bytes for dims ${dims.join('×')}`);
  },
};

/** CIFAR-10 and CIFAR-100 batches, mutated, read as either variant. */
export const cifarTarget: FuzzTarget<{
  bytes: Uint8Array;
  variant: 'cifar10' | 'cifar100';
  coarse: boolean;
}> = {
  name: 'cifar',
  description: 'readCifar on mutated CIFAR-10/100 binary batches',
  arbitrary: fc.record({
    bytes: mutated(
      fc
        .record({ count: fc.integer({ min: 1, max: 3 }), variant: fc.constantFrom('cifar10', 'cifar100') })
        .map(({ count, variant }) =>
          writeCifar(
            {
              count,
              height: 32,
              width: 32,
              channels: 3,
              pixels: Uint8Array.from({ length: count * 3072 }, (_, i) => i % 256),
              labels: Int32Array.from({ length: count }, (_, i) => i % 10),
            },
            { variant: variant as 'cifar10' | 'cifar100' },
          ),
        ),
    ),
    variant: fc.constantFrom('cifar10' as const, 'cifar100' as const),
    coarse: fc.boolean(),
  }),
  async run({ bytes, variant, coarse }) {
    const set = readCifar(bytes, { variant, label: coarse ? 'coarse' : 'fine', source: SOURCE });
    checkSet(set);
    check(set.height === 32 && set.width === 32 && set.channels === 3, 'CIFAR set is not 32×32×3');
  },
};

const PNG_KINDS: ReadonlyArray<{ channels: 1 | 2 | 3 | 4; depth: 1 | 2 | 4 | 8 | 16; palette?: boolean }> = [
  { channels: 1, depth: 1 },
  { channels: 1, depth: 2 },
  { channels: 1, depth: 4 },
  { channels: 1, depth: 8 },
  { channels: 1, depth: 16 },
  { channels: 2, depth: 8 },
  { channels: 3, depth: 8 },
  { channels: 3, depth: 16 },
  { channels: 4, depth: 8 },
  { channels: 4, depth: 16 },
  { channels: 1, depth: 8, palette: true },
];

const pngSeed = fc
  .record({
    width: fc.integer({ min: 1, max: 12 }),
    height: fc.integer({ min: 1, max: 12 }),
    kind: fc.constantFrom(...PNG_KINDS),
    seed: fc.nat(255),
  })
  .map(({ width, height, kind, seed }) => {
    const samples = width * height * kind.channels;
    const max = kind.palette ? 3 : (1 << kind.depth) - 1;
    const values = Array.from({ length: samples }, (_, i) => ((i * 37 + seed) * 11) % (max + 1));
    const data = kind.depth === 16 ? Uint16Array.from(values) : Uint8Array.from(values);
    const packed = kind.depth < 8 ? pack(values, width, height, kind.depth) : data;
    return encodePng({
      width,
      height,
      data: packed,
      channels: kind.channels,
      depth: kind.depth,
      ...(kind.palette
        ? {
            palette: [
              [0, 0, 0],
              [255, 0, 0],
              [0, 255, 0],
              [0, 0, 255],
            ] as [number, number, number][],
          }
        : {}),
    });
  });

/** Packs 1/2/4-bit gray samples into PNG rows (each row starts on a byte). */
function pack(values: readonly number[], width: number, height: number, depth: number): Uint8Array {
  const rowBytes = Math.ceil((width * depth) / 8);
  const out = new Uint8Array(rowBytes * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      out[y * rowBytes + (bit >> 3)]! |= values[y * width + x]! << (8 - depth - (bit & 7));
    }
  }
  return out;
}

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  new DataView(out.buffer).setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  return out; // fast-png does not check CRCs, so they stay zero
}

let bomb: Uint8Array | undefined;
/** 8 MiB of zeros as zlib data (about 8 KiB), made once. */
function zlibBomb(): Uint8Array {
  bomb ??= zlibSync(new Uint8Array(8 << 20), { level: 9 });
  return bomb;
}

/** PNGs built chunk by chunk: any IHDR, random palettes, transparency, data and bombs. */
const craftedPng = fc
  .record({
    width: fc.oneof(fc.integer({ min: 0, max: 9 }), fc.constantFrom(2000, 70_000, 0x7fffffff, 0xffffffff)),
    height: fc.oneof(fc.integer({ min: 0, max: 9 }), fc.constantFrom(2000, 70_000, 0x7fffffff, 0xffffffff)),
    depth: fc.constantFrom(0, 1, 2, 3, 4, 8, 16),
    colorType: fc.constantFrom(0, 1, 2, 3, 4, 5, 6),
    interlace: fc.constantFrom(0, 0, 1, 2),
    chunks: fc.array(
      fc.oneof(
        fc.uint8Array({ maxLength: 30 }).map((d) => pngChunk('PLTE', d)),
        fc.uint8Array({ maxLength: 12 }).map((d) => pngChunk('tRNS', d)),
        fc.uint8Array({ maxLength: 300 }).map((d) => pngChunk('IDAT', zlibSync(d))),
        fc.integer({ min: 0, max: 400 }).map((n) => pngChunk('IDAT', zlibSync(new Uint8Array(n)))),
        fc.uint8Array({ maxLength: 40 }).map((d) => pngChunk('IDAT', d)),
        fc.constant(0).map(() => pngChunk('IDAT', zlibBomb())),
        fc.constant(0).map(() => pngChunk('iCCP', concatBytes([Uint8Array.from([65, 0, 0]), zlibBomb()]))),
        fc.uint8Array({ maxLength: 20 }).map((d) => pngChunk('IHDR', d)),
      ),
      { maxLength: 6 },
    ),
  })
  .map(({ width, height, depth, colorType, interlace, chunks }) => {
    const ihdr = new Uint8Array(13);
    const view = new DataView(ihdr.buffer);
    view.setUint32(0, width);
    view.setUint32(4, height);
    ihdr.set([depth, colorType, 0, 0, interlace], 8);
    return concatBytes([
      Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      pngChunk('IHDR', ihdr),
      ...chunks,
      pngChunk('IEND', new Uint8Array(0)),
    ]);
  });

export const pngTarget: FuzzTarget<Uint8Array> = {
  name: 'png',
  description: 'decodeImage on mutated fast-png files and PNGs built chunk by chunk',
  arbitrary: fc.oneof({ weight: 3, arbitrary: mutated(pngSeed) }, { weight: 2, arbitrary: craftedPng }),
  async run(bytes) {
    checkImage(decodeImage(bytes, SOURCE, LIMITS));
  },
};

/** Sizes and qualities of the seed JPEGs (jpeg-js encodes slowly, so they are made once). */
const JPEG_SEEDS = [
  { width: 1, height: 1, quality: 90 },
  { width: 8, height: 8, quality: 50 },
  { width: 17, height: 9, quality: 90 },
  { width: 24, height: 24, quality: 100 },
  { width: 16, height: 16, quality: 10 },
  { width: 9, height: 23, quality: 75 },
];
let jpegSeeds: Uint8Array[] | undefined;

function seedJpegs(): Uint8Array[] {
  jpegSeeds ??= JPEG_SEEDS.map(({ width, height, quality }, seed) => {
    const data = Uint8Array.from({ length: width * height * 4 }, (_, i) =>
      i % 4 === 3 ? 255 : (i * 7 + seed * 40) % 256,
    );
    return new Uint8Array(encodeJpeg({ width, height, data }, quality).data);
  });
  return jpegSeeds;
}

const jpegSeed = fc.nat(JPEG_SEEDS.length - 1).map((i) => seedJpegs()[i]!);

/** JPEGs whose frame header (SOF0) declares another size than the data holds. */
const lyingJpeg = fc
  .tuple(
    jpegSeed,
    fc.constantFrom(0, 1, 8, 500, 1000, 2000, 9000, 0xffff),
    fc.constantFrom(0, 1, 8, 500, 1000, 2000, 9000, 0xffff),
  )
  .map(([bytes, width, height]) => {
    const out = Uint8Array.from(bytes);
    const sof = out.findIndex((b, i) => b === 0xff && out[i + 1] === 0xc0);
    if (sof >= 0) {
      new DataView(out.buffer).setUint16(sof + 5, height);
      new DataView(out.buffer).setUint16(sof + 7, width);
    }
    return out;
  });

export const jpegTarget: FuzzTarget<Uint8Array> = {
  name: 'jpeg',
  description: 'decodeImage on mutated jpeg-js files and JPEGs lying about their size',
  arbitrary: fc.oneof(
    { weight: 4, arbitrary: mutated(jpegSeed) },
    { weight: 1, arbitrary: mutated(lyingJpeg) },
  ),
  async run(bytes) {
    checkImage(decodeImage(bytes, SOURCE, LIMITS));
  },
};

/** What an entry of a fuzzed image folder is. */
const ENTRY_KINDS = [
  'png',
  'jpeg',
  'mutated-png',
  'text',
  'empty',
  'fifo',
  'link-to-parent',
  'link-to-self',
  'link-to-root',
  'link-to-dev-zero',
  'dangling-link',
  'subfolder',
  'hidden',
  'huge-header',
  'link-to-other-class',
] as const;

type Entry = { kind: (typeof ENTRY_KINDS)[number]; bytes: Uint8Array };

const entryArb: fc.Arbitrary<Entry> = fc.record({
  // Mostly images, so that some folders load; every odd kind now and then.
  kind: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('png' as const, 'jpeg' as const) },
    { weight: 4, arbitrary: fc.constantFrom(...ENTRY_KINDS) },
  ),
  bytes: fc.oneof(mutated(pngSeed), pngSeed, jpegSeed),
});

const folderArb = fc.record({
  classes: fc.array(fc.array(entryArb, { minLength: 0, maxLength: 5 }), { minLength: 0, maxLength: 3 }),
  skipInvalid: fc.boolean(),
  rootFile: fc.boolean(),
});

let hugeHeader: Uint8Array | undefined;
/** A PNG declaring 20000×20000 pixels (400 MP) in a few kilobytes, made once. */
function hugeHeaderPng(): Uint8Array {
  hugeHeader ??= makeHugeHeaderPng();
  return hugeHeader;
}

function makeHugeHeaderPng(): Uint8Array {
  const ihdr = new Uint8Array(13);
  new DataView(ihdr.buffer).setUint32(0, 20_000);
  new DataView(ihdr.buffer).setUint32(4, 20_000);
  ihdr.set([8, 0, 0, 0, 0], 8);
  const sig = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return concatBytes([
    sig,
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', zlibSync(new Uint8Array(1 << 20))),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
}

function writeEntry(root: string, classDir: string, i: number, entry: Entry, otherClass: string): void {
  const path = join(classDir, `${i}.png`);
  switch (entry.kind) {
    case 'png':
    case 'mutated-png':
    case 'jpeg':
      writeFileSync(path, entry.bytes);
      break;
    case 'text':
      writeFileSync(path, 'not an image');
      break;
    case 'empty':
      writeFileSync(path, '');
      break;
    case 'fifo':
      execFileSync('mkfifo', [path]);
      break;
    case 'link-to-parent':
      symlinkSync('..', path);
      break;
    case 'link-to-self':
      symlinkSync('.', path);
      break;
    case 'link-to-root':
      symlinkSync(root, path);
      break;
    case 'link-to-dev-zero':
      symlinkSync('/dev/zero', path);
      break;
    case 'dangling-link':
      symlinkSync(join(classDir, 'missing'), path);
      break;
    case 'subfolder':
      mkdirSync(join(classDir, `sub${i}`));
      writeFileSync(join(classDir, `sub${i}`, 'a.png'), entry.bytes);
      break;
    case 'hidden':
      writeFileSync(join(classDir, `.hidden${i}`), entry.bytes);
      break;
    case 'huge-header':
      writeFileSync(path, hugeHeaderPng());
      break;
    case 'link-to-other-class':
      symlinkSync(otherClass, path);
      break;
  }
}

/** Image folders with broken images, FIFOs, devices, link cycles and dangling links. */
export const imageFolderTarget: FuzzTarget<{ classes: Entry[][]; skipInvalid: boolean; rootFile: boolean }> =
  {
    name: 'image-folder',
    description: 'readImageFolder on folders with broken images, FIFOs, devices and link cycles',
    arbitrary: folderArb,
    async run({ classes, skipInvalid, rootFile }, dir) {
      const root = join(dir, 'data');
      mkdirSync(root);
      if (rootFile) writeFileSync(join(root, 'README.txt'), 'ignored');
      classes.forEach((entries, c) => {
        const classDir = join(root, `class${c}`);
        mkdirSync(classDir);
        const other = join(root, `class${(c + 1) % classes.length}`);
        for (const [i, entry] of entries.entries()) writeEntry(root, classDir, i, entry, other);
      });
      const { set, skipped } = await readImageFolder(root, { skipInvalid, ...LIMITS });
      checkSet(set);
      check(skipInvalid || skipped.length === 0, 'skipped files without skipInvalid');
    },
  };

/** Every data target, in the order the report lists them. */
export const dataTargets: readonly FuzzTarget<never>[] = [
  idxTarget,
  idxGzTarget,
  cifarTarget,
  pngTarget,
  jpegTarget,
  imageFolderTarget,
] as unknown as readonly FuzzTarget<never>[];
