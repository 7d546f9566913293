import { defineConfig } from 'vitest/config';
import { packageTestConfig } from '../vitest.shared';

// Each property runs a few hundred inputs; on a busy machine that takes longer than the default 60 s.
export default defineConfig(packageTestConfig({ testTimeout: 180_000 }));
