import { fileURLToPath } from 'node:url';
import type { JobDetail } from '@aiplat/api';
import { describe, expect, it, vi } from 'vitest';
import { fake } from '../../test/vscodeFake.js';
import { useWebviewPage } from '../../test/webviewPage.js';
import { jobDetailsStrings, jobSummary } from './jobDetailsStrings.js';
import { renderJobDetailsHtml } from './jobDetailsPanels.js';
import type { HostMessage, WebviewMessage } from './protocol.js';

vi.mock('vscode', () => import('../../test/vscodeFake.js'));

/* The job details page in a real browser (../../test/webviewPage.ts: its HTML and CSP, the app bundled). */

const APP = fileURLToPath(new URL('./app.ts', import.meta.url));

const JOB: JobDetail = {
  id: 'job-1',
  spec: {
    name: 'mnist',
    mode: 'ddp',
    nodes: 2,
    command: 'python train.py',
    workingDir: 'home',
    resources: { cpu: 1, memory: '1Gi', accelerator: { type: 'none', count: 0 } },
    tags: {},
    env: {},
    hyperparameters: {},
    autoRestart: { maxRestarts: 0 },
    priority: 5,
    queue: 'default',
  },
  state: 'Running',
  user: 'alice',
  engine: 'local',
  createdAt: '2026-01-01T00:00:00.000Z',
  startedAt: '2026-01-01T00:00:01.000Z',
  restarts: 0,
  progress: { percent: 42, etaSeconds: 200 },
  instances: [0, 1].map((index) => ({
    jobId: 'job-1',
    index,
    role: 'node' as const,
    name: `node-${index}`,
    state: 'Running' as const,
    host: '127.0.0.1',
  })),
};

const browser = useWebviewPage<HostMessage, WebviewMessage>(APP, (page) =>
  renderJobDetailsHtml({ title: 'mnist (job-1)', ...page }),
);
const { post, sent, saved } = browser;

const openPage = () => browser.open();

describe('job details page in Chromium', () => {
  it('says ready, renders the job with charts, and sends actions; the CSP blocks nothing of ours', async () => {
    fake.reset();
    const { page, violations } = await openPage();
    await expect.poll(() => sent(page)).toEqual([{ type: 'ready' }]);

    const t0 = Date.parse('2026-01-01T00:00:02Z');
    const points = (n: number) =>
      [0, 1, 2].map((i) => ({
        time: new Date(t0 + i * 1000).toISOString(),
        cpuPercent: 10 * (i + n),
        memoryBytes: 2 ** 20 * (i + 1),
        processCount: 1,
      }));
    await post(page, {
      type: 'init',
      job: JOB,
      summary: jobSummary(JOB),
      events: [{ time: '2026-01-01T00:00:00.000Z', type: 'submitted', message: 'submitted by alice' }],
      metrics: { instances: [0, 1].map((instance) => ({ instance, points: points(instance) })) },
      strings: jobDetailsStrings(),
    });

    await expect
      .poll(() => page.locator('button').allTextContents())
      .toEqual(['Stop', 'Force Stop', 'Start Again', 'Copy', 'Delete', 'Show Logs', 'TensorBoard']);
    expect(await page.locator('button[data-action=forceStop]').getAttribute('title')).toBe(
      'Stop at once, without the grace period',
    );
    expect(await page.locator('button[data-action=startAgain]').isDisabled()).toBe(true);
    expect(await page.locator('button[data-action=stop]').isDisabled()).toBe(false);
    const summary = await page.locator('table.summary').innerText();
    expect(summary).toContain('42%');
    expect(summary).toContain('3m 20s');
    expect(await page.locator('table.instances tr').count()).toBe(3);
    expect(await page.locator('svg polyline').count()).toBe(4); // CPU and memory, two instances each

    // The overview, as JupyterLab's job view has it.
    const overview = await page.locator('table.overview').innerText();
    for (const text of ['ddp', 'python train.py', '/work/home', "(none: the engine's default)", '2 × (1 CPU · 1Gi)']) {
      expect(overview).toContain(text);
    }
    // Charts with a title and unit, labelled axes and a legend naming each instance's line.
    expect(await page.locator('.chart .chart-title').allTextContents()).toEqual([
      'CPU (100% = one core)',
      'Memory (MiB)',
    ]);
    const cpu = page.locator('.chart[data-kind=cpu]');
    expect(await cpu.locator('.y-tick text').allTextContents()).toEqual(['0', '10', '20', '30']);
    expect(await cpu.locator('.x-tick text').count()).toBe(4);
    expect(await cpu.locator('.axis-title').textContent()).toBe('%');
    expect(await cpu.locator('.legend-entry').allTextContents()).toEqual(['node-0', 'node-1']);
    expect(await page.locator('.chart[data-kind=memory] .y-tick text').allTextContents()).toEqual(['0', '1', '2', '3']);
    // The job id is kept with the panel, for a window reload.
    expect(await saved(page)).toEqual([{ jobId: 'job-1' }]);
    expect(await page.locator('ul.events li').innerText()).toContain(' · Submitted · submitted by alice');

    // The loss the job printed, read from its logs by the extension: a chart of its own.
    await post(page, {
      type: 'loss',
      series: [0, 1].map((instance) => ({
        instance,
        points: [
          [t0, 2],
          [t0 + 1000, 1.5 - instance],
        ],
      })),
    });
    const loss = page.locator('.chart[data-kind=loss]');
    await expect.poll(() => loss.locator('.chart-title').textContent()).toBe('Loss (from the logs)');
    expect(await loss.locator('.legend-entry').allTextContents()).toEqual(['node-0', 'node-1']);
    expect(await loss.locator('.y-tick text').allTextContents()).toEqual(['0', '0.5', '1', '1.5', '2']);

    await page.locator('button[data-action=stop]').click();
    expect(await sent(page)).toEqual([{ type: 'ready' }, { type: 'action', action: 'stop' }]);

    const stopped = { ...JOB, state: 'Stopped' as const };
    await post(page, { type: 'job', job: stopped, summary: jobSummary(stopped) });
    await expect.poll(() => page.locator('button[data-action=stop]').isDisabled()).toBe(true);
    // Queued: its place in the queue; an instance on Kubernetes shows its pod, a signal when it has no exit code.
    const queued: JobDetail = {
      ...JOB,
      state: 'Queued',
      queuePosition: 2,
      instances: [{ ...JOB.instances[0]!, state: 'Pending', pod: 'mnist-node-0', signal: 'SIGKILL' }],
    };
    await post(page, { type: 'job', job: queued, summary: jobSummary(queued) });
    await expect.poll(() => page.locator('table.summary').innerText()).toMatch(/Place in queue\s+#2/);
    expect(await page.locator('table.instances tr').nth(1).locator('td').allInnerTexts()).toEqual([
      'node-0',
      'Pending',
      'mnist-node-0',
      'SIGKILL',
    ]);
    await post(page, { type: 'deleted' });
    await expect.poll(() => page.locator('#root').innerText()).toContain('This job was deleted.');
    await post(page, { type: 'error', message: 'boom' });
    await expect.poll(() => page.locator('#error').innerText()).toBe('boom');

    expect(violations).toEqual([]);
    await page.close();
  });

  it('refuses a script without the nonce', async () => {
    const { page, violations } = await openPage();
    await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.injected = true';
      document.body.append(script);
    });
    await expect.poll(() => violations.length).toBeGreaterThan(0);
    expect(await page.evaluate(() => (window as unknown as { injected?: boolean }).injected)).toBeUndefined();
    await page.close();
  });
});
