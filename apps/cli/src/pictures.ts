import type { GruClassifier } from '@gruvision/classifier';
import { fitImage, type ImageSet, preprocessDigit, type RawImage } from '@gruvision/data';

/** `--invert` of the commands that read pictures. */
export const INVERT_MODES = ['auto', 'yes', 'no'] as const;
export type InvertMode = (typeof INVERT_MODES)[number];

export const INVERT_HELP =
  'auto | yes | no: make the ink light on a dark background, as in the training pictures ' +
  '(auto: when the picture has a light border and the model was trained on dark pictures)';

/** What `predict --help` says each kind of model does with a picture. */
export const PICTURE_HELP = `How a picture is read:
  digit models (trained on mnist or idx:<dir>) apply MNIST-style centring: gray, ink made light on dark,
    the ink cropped, scaled into a 20×20 box and centred by mass in 28×28;
  other models only convert the picture to their channels and resize it to their input size.
  --invert auto inverts a picture whose border is light when the model's training pictures are dark on
  average (MNIST, Fashion-MNIST); --invert yes / no decides it for every picture.
Each picture is checked: one with no ink (a flat picture) or one far from the training pictures
(mean brightness more than one standard deviation of the training pixels away from theirs) gets a
warning, in --json as "warnings".`;

function median(values: Uint8Array): number {
  const histogram = new Uint32Array(256);
  for (const v of values) histogram[v]!++;
  let seen = 0;
  for (let v = 0; v < 256; v++) {
    seen += histogram[v]!;
    if (seen * 2 >= values.length) return v;
  }
  return 0;
}

/** The median gray level of the picture's one-pixel border (alpha ignored). */
export function borderLevel(image: RawImage): number {
  const gray = fitImage(
    image,
    { height: image.height, width: image.width, channels: 1 },
    { background: 255 },
  );
  const { width: w, height: h, pixels } = gray;
  const border: number[] = [];
  for (let x = 0; x < w; x++) border.push(pixels[x]!, pixels[(h - 1) * w + x]!);
  for (let y = 1; y < h - 1; y++) border.push(pixels[y * w]!, pixels[y * w + w - 1]!);
  return median(Uint8Array.from(border));
}

/** Whether `--invert mode` inverts this picture for this model. */
export function shouldInvert(mode: InvertMode, image: RawImage, trainingMean: number | undefined): boolean {
  if (mode !== 'auto') return mode === 'yes';
  return borderLevel(image) > 127 && (trainingMean ?? 0) < 0.5;
}

function inverted(image: RawImage): RawImage {
  const pixels = image.pixels.slice();
  const alpha = image.channels === 2 || image.channels === 4;
  for (let i = 0; i < pixels.length; i++) {
    if (!(alpha && i % image.channels === image.channels - 1)) pixels[i] = 255 - pixels[i]!;
  }
  return { ...image, pixels };
}

/** One picture in the model's input shape, prepared as `predict` does, with `--invert` applied. */
export function preparePicture(model: GruClassifier, image: RawImage, mode: InvertMode): RawImage {
  const shape = { ...model.input, channels: model.input.channels as 1 | 3 | 4 };
  if (model.preprocess === 'mnist') {
    return fitImage(preprocessDigit(image, { invert: mode === 'auto' ? 'auto' : mode === 'yes' }), shape);
  }
  const invert = shouldInvert(mode, image, model.view.normalize?.mean);
  return fitImage(invert ? inverted(image) : image, shape);
}

/** Warnings about a prepared picture: no ink at all, or far from the model's training pictures. */
export function pictureWarnings(prepared: RawImage, model: GruClassifier): string[] {
  const { pixels } = prepared;
  let min = 255;
  let max = 0;
  let sum = 0;
  for (const v of pixels) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  if (max - min < 8) {
    return ['the picture has no ink (it is flat after preprocessing): the prediction means nothing'];
  }
  const normalize = model.view.normalize;
  const mean = sum / pixels.length / 255;
  if (normalize && Math.abs(mean - normalize.mean) > normalize.std) {
    return [
      `the picture is unlike the training pictures (mean brightness ${mean.toFixed(2)} after preprocessing, ` +
        `training ${normalize.mean.toFixed(2)} ± ${normalize.std.toFixed(2)}): check --invert, or that this model is meant for it`,
    ];
  }
  return [];
}

/** Prepared pictures as a set in the model's shape (which `predict` uses as is). */
export function pictureSet(model: GruClassifier, prepared: readonly RawImage[]): ImageSet {
  const { height, width, channels } = model.input;
  const size = height * width * channels;
  const pixels = new Uint8Array(prepared.length * size);
  prepared.forEach((p, i) => {
    pixels.set(p.pixels, i * size);
  });
  return {
    count: prepared.length,
    height,
    width,
    channels,
    pixels,
    labels: new Int32Array(prepared.length),
    classNames: model.classNames,
  };
}
