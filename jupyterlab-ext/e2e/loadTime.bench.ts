import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEXTENSION_DIR, startLab, type Lab } from './harness.js';

/*
 * The JupyterLab extension's benchmark (`npm run bench:jupyterlab`, also in `npm run bench`), in a
 * real JupyterLab against a real backend, both measured in the same run:
 *   - bundle: the prebuilt extension's JavaScript against JupyterLab's own (the test host's bundle);
 *   - load: page navigation → JupyterLab ready (its shell restored), and → the AI Platform panel
 *     usable (opened, connected, the /work roots listed), over several reloads.
 * Target: the panel usable within 1.5 × JupyterLab's own load time.
 */

const RELOADS = Number(process.env.BENCH_JUPYTERLAB_RELOADS ?? 5);
const TARGET_RATIO = 1.5;
const HOST_STATIC = fileURLToPath(new URL('../../jupyterlab-host/build/static', import.meta.url));

function jsBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += jsBytes(full);
    else if (entry.name.endsWith('.js')) total += statSync(full).size;
  }
  return total;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

describe('JupyterLab extension benchmark', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab();
  }, 120_000);
  afterAll(async () => {
    await lab?.close();
  });

  it('measures the bundle and the time to a usable panel against JupyterLab’s own', async () => {
    const extension = jsBytes(path.join(LABEXTENSION_DIR, 'static'));
    const host = jsBytes(HOST_STATIC);
    const { page } = lab;
    const ready: number[] = [];
    const usable: number[] = [];
    for (let run = 0; run <= RELOADS; run++) {
      await page.reload();
      await page.waitForFunction(() => document.body.dataset.aiplatHost === 'ready', undefined, { polling: 'raf' });
      const labReady = await page.evaluate(() => performance.now());
      const panel = await lab.openPanel();
      await panel.locator('.aiplat-tree-entry[data-path="home"]').waitFor({ timeout: 30_000 });
      const panelUsable = await page.evaluate(() => performance.now());
      // The first load warms the server's caches; it is not counted.
      if (run === 0) continue;
      ready.push(labReady);
      usable.push(panelUsable);
    }
    const ratio = median(usable) / median(ready);
    const lines = [
      `bundle: extension ${kib(extension)} of JavaScript, JupyterLab ${kib(host)} (${((100 * extension) / host).toFixed(1)}%)`,
      `load (median of ${RELOADS} reloads): JupyterLab ready ${median(ready).toFixed(0)} ms, AI Platform panel usable ${median(usable).toFixed(0)} ms`,
      `ratio panel usable / JupyterLab ready: ${ratio.toFixed(2)} (target < ${TARGET_RATIO})`,
    ];
    process.stdout.write(`\n${lines.join('\n')}\n`);
    expect(ratio).toBeLessThan(TARGET_RATIO);
  }, 300_000);
});
