// Shared tsup settings for every published library: ESM only, typed, with source maps, for ES2022.
// Each package's `tsup.config.ts` names its entries and nothing else.
import { defineConfig, type Options } from 'tsup';

export function libraryBuildConfig(entry: Options['entry'], dts: Options['dts'] = true) {
  return defineConfig({
    entry,
    format: ['esm'],
    dts,
    sourcemap: true,
    clean: true,
    target: 'es2022',
  });
}
