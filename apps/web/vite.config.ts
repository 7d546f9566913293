import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

/**
 * The training worker trains with the math engine only. The classifier can import `@gruvision/tfjs`
 * lazily, and every worker is bundled on its own, so without this the training worker's bundle would
 * carry a second copy of TensorFlow.js (~1 MB) that it never loads.
 */
function noTfjsInTrainWorker(): Plugin {
  const stub = '\0gruvision:no-tfjs';
  let trainWorker = false;
  return {
    name: 'gruvision:no-tfjs-in-train-worker',
    // Before Vite's own resolver, which would otherwise resolve the import first.
    enforce: 'pre',
    buildStart(options) {
      trainWorker = JSON.stringify(options.input ?? '').includes('train-worker');
    },
    resolveId(id) {
      return trainWorker && id === '@gruvision/tfjs' ? stub : null;
    },
    load(id) {
      if (id !== stub) return null;
      return "throw new Error('The training worker runs the math engine only: TensorFlow.js is not bundled into it.');";
    },
  };
}

const publicDir = fileURLToPath(new URL('public/', import.meta.url));

function binFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? binFiles(path) : name.endsWith('.bin') ? [path] : [];
  });
}

/** The bytes of a `.gz` twin: gzip level 9 (`src/fetch-bytes.ts` unpacks them in the browser). */
function gzipTwin(bytes: Uint8Array): Buffer {
  return gzipSync(bytes, { level: 9 });
}

/**
 * Ships every `.wasm` asset of a worker bundle (tfjs' three binaries, which the inference worker imports
 * as URLs) also as `<name>.wasm.gz`; the worker fetches the twin and hands tfjs the unpacked bytes. A
 * worker plugin: the worker's own build emits those assets (the page build only copies them over later,
 * in Vite's `vite:worker` `generateBundle`), so the twin is made where the binary is.
 */
function precompressWasm(): Plugin {
  return {
    name: 'gruvision:precompress-wasm',
    generateBundle(_options, bundle) {
      for (const file of Object.values(bundle)) {
        if (file.type !== 'asset' || !file.fileName.endsWith('.wasm')) continue;
        const source = typeof file.source === 'string' ? Buffer.from(file.source) : file.source;
        this.emitFile({ type: 'asset', fileName: `${file.fileName}.gz`, source: gzipTwin(source) });
      }
    },
  };
}

/**
 * Ships every `public/**\/*.bin` (model weights, image packs) also as `<name>.bin.gz` (gzip level 9),
 * which the page fetches and unpacks itself (`src/fetch-bytes.ts`): any static host then sends, and the
 * service worker caches, the small file. The dev server makes the twins on the fly.
 */
function precompressBins(): Plugin {
  return {
    name: 'gruvision:precompress-bins',
    generateBundle() {
      for (const path of binFiles(publicDir)) {
        this.emitFile({
          type: 'asset',
          fileName: `${relative(publicDir, path).split('\\').join('/')}.gz`,
          source: gzipTwin(readFileSync(path)),
        });
      }
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = decodeURIComponent((req.url ?? '').split('?')[0]!);
        const source = join(publicDir, path.replace(/^\/+/, '').replace(/\.gz$/, ''));
        if (!path.endsWith('.bin.gz') || !source.startsWith(publicDir) || !existsSync(source)) return next();
        res.setHeader('Content-Type', 'application/gzip');
        res.end(gzipSync(readFileSync(source)));
      });
    },
  };
}

export default defineConfig({
  // A multi-page app: a missing file is a 404, not index.html (so a missing model says so).
  appType: 'mpa',
  resolve: { conditions: ['@gruvision/source', ...defaultClientConditions] },
  // Scan the workers too, so the dev server pre-bundles tfjs and the image decoders up front instead of
  // discovering them at run time and reloading the page.
  optimizeDeps: { entries: ['index.html', 'src/*-worker.ts'] },
  worker: { format: 'es', plugins: () => [noTfjsInTrainWorker(), precompressWasm()] },
  build: { target: 'es2022' },
  plugins: [
    precompressBins(),
    // An installable app that works offline after the first visit: a Workbox service worker precaches
    // the whole site (page, workers, tfjs and its .wasm, models, training subset, gallery).
    VitePWA({
      registerType: 'autoUpdate',
      injectRegister: 'script-defer',
      includeAssets: ['icon-192.png', 'icon-512.png'],
      manifest: {
        name: 'gruvision — watch a GRU read a digit',
        short_name: 'gruvision',
        description: 'Draw a digit and watch a GRU read it row by row, fully in your browser.',
        start_url: '.',
        scope: '.',
        display: 'standalone',
        background_color: '#f3f4f6',
        theme_color: '#2f5fa7',
        icons: [
          { src: 'icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        // The page reads each .bin and tfjs' .wasm as its .gz twin, so only the twins are cached.
        globPatterns: ['**/*.{html,js,css,gz,json,png,webmanifest}'],
        // tfjs (~0.9 MB) is near Workbox's 2 MB default limit.
        maximumFileSizeToCacheInBytes: 4 * 1024 * 1024,
        // A multi-page app: no SPA fallback, a missing file stays a 404.
        navigateFallback: null,
        // `/?engine=tfjs-wasm` is the page too.
        ignoreURLParametersMatching: [/.*/],
        cleanupOutdatedCaches: true,
        // The first visit's page is served from the cache as soon as the worker is active.
        clientsClaim: true,
      },
    }),
  ],
});
