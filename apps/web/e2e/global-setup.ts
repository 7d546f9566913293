import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type PreviewServer, preview } from 'vite';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

let server: PreviewServer | undefined;

/** Serves the built app (`dist/`) with `vite preview` on a free localhost port. */
export async function setup(project: TestProject): Promise<void> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  // E2E_DIST serves another build (e.g. of an older commit, to see a new test fail on it).
  const outDir = process.env.E2E_DIST ?? 'dist';
  if (!existsSync(`${outDir.startsWith('/') ? outDir : `${root}/${outDir}`}/index.html`)) {
    throw new Error(
      'apps/web/dist is missing: run `pnpm --filter @gruvision/web build` (or `pnpm e2e`) first.',
    );
  }
  server = await preview({
    root,
    logLevel: 'warn',
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
  });
  const address = server.httpServer.address();
  if (address === null || typeof address === 'string')
    throw new Error('vite preview did not open a TCP port.');
  project.provide('baseUrl', `http://127.0.0.1:${address.port}/`);
}

export async function teardown(): Promise<void> {
  await server?.close();
}
