import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type * as vscode from 'vscode';
import { startRealBackend, type RealBackend } from '../../../../testing/src/realBackend.js';
import { connectTo, servicesFor, TWO_NODE_ECHO } from '../../test/connectedServices.js';
import { fake, FakeWebviewPanel, Uri } from '../../test/vscodeFake.js';
import { JobDetailsPanels } from './jobDetailsPanels.js';
import type { HostMessage } from './protocol.js';

vi.mock('vscode', () => import('../../test/vscodeFake.js'));

let backend: RealBackend;
beforeAll(async () => {
  backend = await startRealBackend();
});
afterAll(() => backend?.close());

describe('a job details panel restored after a window reload', () => {
  it('waits for the connection: says it is not connected, then shows the job once connected', async () => {
    fake.reset();
    const job = await backend.client().createJob({ body: { spec: TWO_NODE_ECHO } });
    // What activation builds: the connection is not made yet when VS Code restores the panel.
    const { connection, events } = await servicesFor(backend);
    const panels = new JobDetailsPanels({
      extensionUri: Uri.file('/ext') as unknown as vscode.Uri,
      client: () => connection.client,
      events,
      runAction: () => Promise.resolve(),
    });
    try {
      const panel = new FakeWebviewPanel('aiplat.jobDetails', `t (${job.id})`, {});
      expect(panels.restore(panel as unknown as vscode.WebviewPanel, { jobId: job.id })).toBeDefined();
      await panel.webview.receive({ type: 'ready' });
      expect(panel.webview.posted).toEqual([{ type: 'error', message: 'Not connected to the AI Platform.' }]);

      await connection.connect();
      await vi.waitFor(() => {
        const init = panel.webview.posted.find((m) => (m as HostMessage).type === 'init') as
          Extract<HostMessage, { type: 'init' }> | undefined;
        expect(init?.job.id).toBe(job.id);
      });
      // One init, although the handshake and the connection both asked for it.
      expect(panel.webview.posted.filter((m) => (m as HostMessage).type === 'init')).toHaveLength(1);
      expect(panels.get(job.id)?.panel).toBe(panel);
    } finally {
      panels.dispose();
      events.dispose();
      connection.dispose();
    }
  });

  it('sends the page each point the server samples (the job-metrics topic), with no timer', async () => {
    fake.reset();
    const job = await backend
      .client()
      .createJob({ body: { spec: { ...TWO_NODE_ECHO, name: 'sampled', nodes: 1, command: 'sleep 600' } } });
    const { connection, events } = await connectTo(backend);
    const panels = new JobDetailsPanels({
      extensionUri: Uri.file('/ext') as unknown as vscode.Uri,
      client: () => connection.client,
      events,
      runAction: () => Promise.resolve(),
    });
    const timers = vi.spyOn(globalThis, 'setInterval');
    try {
      const panel = new FakeWebviewPanel('aiplat.jobDetails', `sampled (${job.id})`, {});
      panels.restore(panel as unknown as vscode.WebviewPanel, { jobId: job.id });
      await panel.webview.receive({ type: 'ready' });
      const points = () =>
        (panel.webview.posted as HostMessage[])
          .filter((m): m is Extract<HostMessage, { type: 'metrics' }> => m.type === 'metrics')
          .map((m) => m.metrics.instances[0]?.points.length ?? 0);
      // Two growing answers while the job just runs: only the topic sends them.
      await vi.waitFor(
        () => {
          const seen = points();
          expect(seen.length).toBeGreaterThanOrEqual(2);
          expect(seen[seen.length - 1]).toBeGreaterThan(seen[seen.length - 2]!);
        },
        { timeout: 20_000, interval: 200 },
      );
      expect(timers).not.toHaveBeenCalled();
    } finally {
      timers.mockRestore();
      panels.dispose();
      events.dispose();
      await backend.client().stopJob({ params: { id: job.id }, body: { force: true } });
      connection.dispose();
    }
  }, 30_000);
});
