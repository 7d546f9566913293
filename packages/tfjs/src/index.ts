/** The tfjs backends gruvision can run on, and the engine name each one gets. */
export const tfjsBackends = ['cpu', 'wasm', 'webgl', 'webgpu'] as const;
export type TfjsBackend = (typeof tfjsBackends)[number];

/** The engine name of a tfjs backend: `tfjs-cpu`, `tfjs-wasm`, ... */
export function engineName(backend: TfjsBackend): `tfjs-${TfjsBackend}` {
  return `tfjs-${backend}`;
}
