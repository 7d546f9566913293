/**
 * When a prediction should not be shown as a confident answer: its best class is unlikely, or (for digit
 * models) the input has far more ink than any training digit (a scribble, a filled box). The ink share
 * of the 2 000 MNIST training images in `public/data/mnist-train-subset.bin` is 3.7 %–30.6 % of the 28×28
 * pixels (above half intensity, median 12.8 %); a drawing beyond `MAX_INK` is out of that range.
 */
export const MIN_TOP_PROBABILITY = 0.5;
export const MAX_INK = 0.4;
export const MIN_INK = 0.02;

/** The share of pixels above half intensity. */
export function inkShare(gray: Uint8Array): number {
  if (gray.length === 0) return 0;
  let ink = 0;
  for (const v of gray) if (v > 127) ink++;
  return ink / gray.length;
}

/** A warning to show instead of a confident answer, or `null` when the prediction can stand. */
export function doubt(
  probabilities: Float32Array,
  input: Uint8Array,
  digitModel: boolean,
  formatPercent: (p: number) => string,
): string | null {
  const top = Math.max(...probabilities);
  if (digitModel) {
    const ink = inkShare(input);
    if (ink > MAX_INK)
      return `This does not look like a digit: ink covers ${formatPercent(ink)} of the model's input, more than any training digit (at most ${formatPercent(0.306)}). The guess below is not an answer.`;
    if (ink < MIN_INK)
      return `There is too little ink to read (${formatPercent(ink)} of the input). Draw bigger or bolder.`;
  }
  if (top < MIN_TOP_PROBABILITY)
    return `Not sure: the best guess has only ${formatPercent(top)}. This may not be something the model knows.`;
  return null;
}
