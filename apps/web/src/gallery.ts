// The Fashion-MNIST gallery: test images to click (or press Enter on) and classify.
import { fetchBytes } from './fetch-bytes';
import { decodeImagePack, type ImagePack, packImage } from './image-pack';
import { $, base } from './page';
import type { InputImage } from './protocol';
import { renderGray } from './views';

async function fetchPack(url: string): Promise<ImagePack> {
  const got = await fetchBytes(url);
  if (!got.ok)
    throw new Error(`${got.url} answered ${got.status}: rebuild the static files (see apps/web/README.md).`);
  return decodeImagePack(got.bytes, url);
}

/** Fills the gallery; `onPick` gets the image of a chosen button. */
export async function loadGallery(onPick: (image: InputImage) => void): Promise<void> {
  const [pack, meta] = await Promise.all([
    fetchPack(`${base}data/fashion-gallery.bin`),
    fetch(`${base}data/fashion-gallery.json`).then((r) => r.json() as Promise<{ classNames: string[] }>),
  ]);
  const root = $('gallery');
  root.replaceChildren(
    ...Array.from({ length: pack.count }, (_, i) => {
      const button = document.createElement('button');
      button.type = 'button';
      const label = meta.classNames[pack.labels[i]!] ?? String(pack.labels[i]);
      button.setAttribute('aria-label', `Test image ${i + 1}: ${label}`);
      button.setAttribute('aria-pressed', 'false');
      button.dataset.label = label;
      const image: InputImage = {
        width: pack.width,
        height: pack.height,
        channels: 1,
        pixels: packImage(pack, i).slice(),
      };
      const canvas = document.createElement('canvas');
      renderGray(canvas, image);
      button.append(canvas);
      button.addEventListener('click', () => {
        for (const b of root.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b === button));
        onPick(image);
      });
      return button;
    }),
  );
}
