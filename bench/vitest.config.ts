import { defineConfig } from 'vitest/config';
import { packageTestConfig } from '../vitest.shared';

// The browser bench's test builds a page and starts Chromium: minutes on a loaded machine.
export default defineConfig(packageTestConfig({ testTimeout: 480_000 }));
