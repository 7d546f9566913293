// Pictures the user gives: decoded by the browser's own decoder, and shown as decoded.
import { $ } from './page';
import type { InputImage } from './protocol';

/** Decodes a PNG/JPEG with the browser's own decoder into RGBA bytes (at most 512 px a side). */
export async function decodeUpload(file: Blob): Promise<InputImage> {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, 512 / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('This browser cannot draw on a 2D canvas.');
  ctx.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  // RGBA as decoded: the worker composites transparency the way the model's preprocessing says.
  return {
    width,
    height,
    channels: 4,
    pixels: new Uint8Array(ctx.getImageData(0, 0, width, height).data.buffer),
  };
}

const uploadPreview = $<HTMLCanvasElement>('upload-preview');

/** Shows the uploaded picture as decoded (RGBA). */
export function showUpload(image: InputImage | null): void {
  uploadPreview.hidden = image === null;
  if (!image) return;
  uploadPreview.width = image.width;
  uploadPreview.height = image.height;
  uploadPreview
    .getContext('2d')
    ?.putImageData(new ImageData(new Uint8ClampedArray(image.pixels), image.width, image.height), 0, 0);
}
