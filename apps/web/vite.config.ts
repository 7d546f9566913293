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

export default defineConfig({
  // A multi-page app: a missing file is a 404, not index.html (so a missing model says so).
  appType: 'mpa',
  resolve: { conditions: ['@gruvision/source', ...defaultClientConditions] },
  // Scan the workers too, so the dev server pre-bundles tfjs and the image decoders up front instead of
  // discovering them at run time and reloading the page.
  optimizeDeps: { entries: ['index.html', 'src/*-worker.ts'] },
  worker: { format: 'es', plugins: () => [noTfjsInTrainWorker()] },
  build: { target: 'es2022' },
  plugins: [
    // An installable app that works offline after the first visit: a Workbox service worker precaches
    // the whole site (page, workers, tfjs, .wasm, models, training subset, gallery).
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
        globPatterns: ['**/*.{html,js,css,wasm,bin,json,png,webmanifest}'],
        // tfjs (~0.9 MB) and the training subset (1.6 MB) are bigger than Workbox's 2 MB default allows for.
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
