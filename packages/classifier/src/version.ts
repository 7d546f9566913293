// The version comes from package.json at build time: tsup (esbuild) inlines the one `version` field
// of this named JSON import into dist/, and every tool that runs the sources through the
// `@gruvision/source` condition (vitest, tsx, Vite, the CLI's bundle) reads the same file.
import { version } from '../package.json';

/** The version of `@gruvision/classifier` written into every model artifact (its package.json `version`). */
export const CLASSIFIER_VERSION: string = version;
