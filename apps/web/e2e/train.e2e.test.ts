import { describe, expect, it } from 'vitest';
import { one, resultsDir, useSite } from './browser';

const site = useSite();

describe('train in the browser', () => {
  it('trains with a falling loss, stops on request, and the trained model classifies drawings', async () => {
    const demo = await site.open();
    const { page } = demo;
    await page.getByRole('tab', { name: 'Train in the browser' }).click();
    // The model and engine menus do not apply to training: hidden there.
    expect(await page.getByTestId('engine-select').isVisible()).toBe(false);
    await page.locator('#train-units').fill('24');
    await page.locator('#train-epochs').fill('20');
    await page.getByTestId('train-start').click();
    // Wait for 40 progress reports (160 batches of 32 images, about 3 epochs of the 1 800 training images).
    await demo.waitForData('train-chart', 'points', { atLeast: 40 });
    await page.getByTestId('train-stop').click();
    await demo.waitForData('train-status', 'state', { equals: 'stopped' }, 30_000);
    const losses = ((await page.getByTestId('train-chart').getAttribute('data-losses')) ?? '')
      .split(',')
      .map(Number);
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(losses.length).toBeGreaterThanOrEqual(40);
    // The mean batch loss of the last three reports is well below that of the first three.
    expect(mean(losses.slice(-3))).toBeLessThan(0.7 * mean(losses.slice(0, 3)));
    // Stopped long before 20 epochs.
    expect(await page.getByTestId('train-status').textContent()).toMatch(/^Stopped after \d+ steps/);
    await page.screenshot({ path: `${resultsDir}/train.png`, fullPage: true });

    await page.getByRole('tab', { name: 'Draw' }).click();
    await page.getByTestId('model-select').selectOption('trained');
    await demo.waitReady();
    await demo.draw(one);
    const label = await demo.top1();
    expect(label).toMatch(/^[0-9]$/);

    // A visit to the gallery (Fashion model) and back keeps the model trained here.
    await page.getByRole('tab', { name: 'Fashion gallery' }).click();
    await demo.waitReady();
    expect(await page.evaluate(() => document.body.dataset.model)).toBe('fashion-mnist');
    await page.getByRole('tab', { name: 'Draw' }).click();
    await demo.waitReady();
    expect(await page.getByTestId('model-select').inputValue()).toBe('trained');
    expect(await page.evaluate(() => document.body.dataset.model)).toBe('trained');
    await expect.poll(() => demo.top1()).toBe(label);
    await demo.closeClean();
  });

  it('the default run reaches at least 90 % held-out accuracy, with held-out curves and live gate heatmaps', async () => {
    const demo = await site.open();
    const { page } = demo;
    await demo.startTraining();
    // After the first epoch: a held-out point on the chart and the gates of the model being trained.
    await demo.waitForData('train-chart', 'epochs', { atLeast: 1 }, 120_000);
    const gates = await page.evaluate(() => {
      const c = document.querySelector<HTMLCanvasElement>('[data-testid="train-heat-z"]')!;
      return { width: c.width, height: c.height, epoch: c.dataset.epoch };
    });
    expect(gates).toEqual({ width: 32, height: 28, epoch: '1' });
    await demo.waitForData('train-status', 'state', { equals: 'done' }, 300_000);
    const chart = page.getByTestId('train-chart');
    expect(await chart.getAttribute('data-epochs')).toBe('10');
    const valAccuracies = ((await chart.getAttribute('data-val-accuracies')) ?? '').split(',').map(Number);
    expect(valAccuracies).toHaveLength(10);
    expect(valAccuracies.at(-1)).toBeGreaterThanOrEqual(0.9);
    const status = (await page.getByTestId('train-status').textContent()) ?? '';
    const heldOut = Number(/held-out accuracy ([\d.]+)%/.exec(status)?.[1]);
    expect(heldOut).toBeGreaterThanOrEqual(90);
    expect(await page.getByTestId('train-heat-z').getAttribute('data-epoch')).toBe('10');
    // The chart is sharp: its canvas holds CSS size × DPR pixels.
    const size = await page.evaluate(() => {
      const c = document.querySelector<HTMLCanvasElement>('[data-testid="train-chart"] canvas')!;
      const r = c.getBoundingClientRect();
      return { width: c.width, cssWidth: r.width, dpr: devicePixelRatio };
    });
    expect(Math.abs(size.width - size.cssWidth * size.dpr)).toBeLessThanOrEqual(1);
    await page.screenshot({ path: `${resultsDir}/train-default.png`, fullPage: true });
    await demo.closeClean();
  }, 400_000);
});
