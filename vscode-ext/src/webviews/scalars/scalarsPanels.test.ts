import { appendFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scalarsTopic } from '@aiplat/api';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as vscode from 'vscode';
import { startRealBackend, type RealBackend } from '../../../../testing/src/realBackend.js';
import { eventFile, type ScalarEvent } from '../../../../testing/src/tensorboard/tfeventsWriter.js';
import { registerTensorBoardCommands } from '../../commands/tensorBoardCommands.js';
import type { ConnectionService } from '../../connection/connectionService.js';
import type { LiveEvents } from '../../connection/liveEvents.js';
import { JobsModel } from '../../jobs/jobsModel.js';
import { connectTo, servicesFor, TWO_NODE_ECHO } from '../../test/connectedServices.js';
import { fake, FakeWebviewPanel, Uri } from '../../test/vscodeFake.js';
import { dispatch } from '../messages.js';
import type { HostMessage } from './protocol.js';
import { jobSource, pickSource } from './scalarSources.js';
import { ScalarsPage } from './scalarsPage.js';
import { ScalarsPanels, type ScalarsPanel, type ScalarsPanelsOptions } from './scalarsPanels.js';
import { openTensorBoard } from './tensorBoardOpener.js';

vi.mock('vscode', () => import('../../test/vscodeFake.js'));

/*
 * The TensorBoard panel against the real backend: event files written under its /work as a job
 * writes them, the panel's messages fed to the page model (scalarsPage.ts) as the webview would get
 * them, so what is asserted is what the page draws.
 */

const FILE = 'events.out.tfevents.1700000000.host.1.0';
const STAND_IN = fileURLToPath(new URL('../../../../testing/src/tensorboard/bin/tensorboard', import.meta.url));
const loss = (from: number, to: number, tag = 'loss'): ScalarEvent[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ tag, step: from + i, value: 10 / (from + i) }));

const fakeOf = (panel: ScalarsPanel) => panel.panel as unknown as FakeWebviewPanel;

/** The page side of a fake panel: the host's messages, taken in order, into the page model. */
class TestPage {
  readonly model = new ScalarsPage();
  private taken = 0;
  constructor(readonly panel: FakeWebviewPanel) {}

  ready(): Promise<void> {
    return this.panel.webview.receive({ type: 'ready' });
  }

  send(message: unknown): Promise<void> {
    return this.panel.webview.receive(message);
  }

  view() {
    const posted = this.panel.webview.posted as HostMessage[];
    for (; this.taken < posted.length; this.taken++) void dispatch(this.model.handlers, posted[this.taken]!);
    return this.model.view((seconds) => `wall ${seconds}`);
  }

  chart(tag: string) {
    return this.view().charts.find((c) => c.tag === tag);
  }
}

interface Live {
  backend: RealBackend;
  connection: ConnectionService;
  events: LiveEvents;
}

async function startLive(extraConfig: string): Promise<Live> {
  const backend = await startRealBackend({ extraConfig });
  return { backend, ...(await connectTo(backend)) };
}

async function stopLive(live: Live | undefined): Promise<void> {
  live?.events.dispose();
  live?.connection.dispose();
  await live?.backend.close();
}

function panelsFor(live: Pick<Live, 'connection' | 'events'>, jobs: JobsModel): ScalarsPanels {
  const client = () => live.connection.client;
  const options: ScalarsPanelsOptions = {
    extensionUri: Uri.file('/ext') as unknown as vscode.Uri,
    client,
    events: live.events,
    pickSource: (exclude) => pickSource(jobs, 'Compare with…', exclude),
    openTensorBoard: (source) =>
      openTensorBoard(
        {
          client,
          events: live.events,
          serverUrl: () => live.connection.serverUrl,
          openExternal: (url) => Promise.resolve(fake.openedExternal.push(url)),
        },
        source,
      ),
  };
  return new ScalarsPanels(options);
}

describe('the TensorBoard panel', () => {
  let live: Live;
  let jobs: JobsModel;
  let panels: ScalarsPanels;
  beforeAll(async () => {
    live = await startLive('tensorboard: { scalarsPollMs: 100 }\n');
  });
  afterAll(() => stopLive(live));
  beforeEach(() => {
    fake.reset();
    jobs = new JobsModel({ client: () => live.connection.client, events: live.events });
    panels = panelsFor(live, jobs);
    return () => {
      panels.dispose();
      jobs.dispose();
    };
  });
  const home = (relative: string) => path.join(live.backend.workRoot, 'home', live.backend.user, relative);

  it("charts a job's summaries (Open in TensorBoard), follows new points live, compares with a folder, draws by the options", async () => {
    const job = await live.backend
      .client()
      .createJob({ body: { spec: { ...TWO_NODE_ECHO, name: 'mnist', nodes: 1, command: 'true' } } });
    const dir = `summaries/${job.id}`;
    await live.backend.writeFile(
      `home/${live.backend.user}/${dir}/${FILE}`,
      eventFile([...loss(1, 5), ...loss(1, 5, 'accuracy')]),
    );
    const registered = registerTensorBoardCommands({ connection: live.connection, jobs, scalars: panels });
    try {
      await fake.commands.get('aiplat.openTensorBoard')!(job.id);
    } finally {
      for (const disposable of registered) disposable.dispose();
    }
    const panel = fake.webviewPanels[0]!;
    expect(panel.viewType).toBe('aiplat.scalars');
    expect(panel.title).toBe('TensorBoard: mnist');
    expect(panel.webview.html).toContain("script-src 'nonce-");
    const page = new TestPage(panel);
    await page.ready();
    await vi.waitFor(() => expect(page.view().charts.map((c) => c.tag)).toEqual(['accuracy', 'loss']));
    expect(page.chart('loss')!.lines.map((l) => [l.label, l.count, l.last])).toEqual([['mnist', 5, 2]]);
    expect(page.model.sources[0]!.source).toEqual({ path: `home/${dir}`, label: 'mnist', jobId: job.id });

    // The job writes on: the new points arrive on the scalars topic, no reload, no second ready.
    await appendFile(home(`${dir}/${FILE}`), eventFile(loss(6, 8)));
    await vi.waitFor(() => expect(page.chart('loss')!.lines[0]!.count).toBe(8), { timeout: 10_000 });
    expect(page.chart('loss')!.lines[0]!.last).toBeCloseTo(10 / 8);

    // Compare with… a folder of runs: its lines labelled <folder>/<run> in the same charts.
    await live.backend.writeFile(`home/${live.backend.user}/runs/lr-0.1/${FILE}`, eventFile(loss(1, 4)));
    await live.backend.writeFile(`home/${live.backend.user}/runs/lr-0.01/${FILE}`, eventFile(loss(1, 3)));
    fake.quickPickAnswers.push('$(folder) A folder under /work…');
    fake.inputBoxAnswers.push('/work/home/runs');
    await page.send({ type: 'compare' });
    // The job shown already is not offered again.
    expect(fake.quickPicks[0]!.labels).not.toContain('mnist');
    await vi.waitFor(() =>
      expect(page.chart('loss')!.lines.map((l) => l.label)).toEqual(['mnist', 'runs/lr-0.01', 'runs/lr-0.1']),
    );
    expect(panel.title).toBe('TensorBoard: mnist, runs');
    expect(page.view().runs.map((r) => r.label)).toEqual(['mnist', 'runs/lr-0.01', 'runs/lr-0.1']);

    // The options change what is drawn: smoothing, x axis, log scale.
    const raw = page.chart('loss')!.lines[0]!.raw;
    const smoothed = page.chart('loss')!.lines[0]!.smoothed;
    page.model.setOptions({ smoothing: 0 });
    expect(page.chart('loss')!.lines[0]!.smoothed).toEqual(page.chart('loss')!.lines[0]!.raw);
    page.model.setOptions({ smoothing: 0.95 });
    expect(page.chart('loss')!.lines[0]!.raw).toEqual(raw);
    expect(page.chart('loss')!.lines[0]!.smoothed).not.toEqual(smoothed);
    expect(page.chart('loss')!.xTicks.map((t) => t.label)).toContain('8');
    page.model.setOptions({ xAxis: 'wall' });
    expect(page.chart('loss')!.xTicks[0]!.label).toMatch(/^wall 17000000\d\d$/);
    page.model.setOptions({ xAxis: 'relative' });
    expect(page.chart('loss')!.xTicks[0]!.label).toBe('0s');
    expect(page.chart('loss')!.yTicks.map((t) => t.label)).not.toContain('1');
    page.model.setOptions({ logScale: true });
    expect(page.chart('loss')!.yTicks.map((t) => t.label)).toEqual(['1', '10']);

    // Removing the folder again leaves the job's own lines.
    await page.send({ type: 'remove', path: 'home/runs' });
    await vi.waitFor(() => expect(page.chart('loss')!.lines.map((l) => l.label)).toEqual(['mnist']));
    expect(panel.title).toBe('TensorBoard: mnist');
    // Open in TensorBoard for the same job again: the same panel, shown.
    expect(panels.show([page.model.sources[0]!.source]).panel).toBe(panel);
    expect(panel.revealed).toBe(1);
  }, 30_000);

  it('comes back after a window reload with its sources and options, once connected', async () => {
    await live.backend.writeFile(
      `home/${live.backend.user}/restored/${FILE}`,
      eventFile([...loss(1, 3), ...loss(1, 3, 'accuracy')]),
    );
    const first = new TestPage(fakeOf(panels.show([{ path: 'home/restored', label: 'restored' }])));
    await first.ready();
    await vi.waitFor(() => expect(first.view().charts).toHaveLength(2));
    first.model.setOptions({ tagFilter: '^acc', smoothing: 0.3, xAxis: 'relative', logScale: true });
    // What the page saved with setState, as VS Code keeps it (JSON) over the reload.
    const saved = JSON.parse(JSON.stringify(first.model.savedState())) as unknown;
    panels.dispose();

    // After the reload the extension is not connected yet when VS Code restores the panel.
    const { connection, events } = await servicesFor(live.backend);
    const restoredPanels = panelsFor({ connection, events }, jobs);
    try {
      const panel = new FakeWebviewPanel('aiplat.scalars', 'TensorBoard: restored', {});
      expect(restoredPanels.restore(panel as unknown as vscode.WebviewPanel, saved)).toBeDefined();
      const page = new TestPage(panel);
      await page.ready();
      expect(panel.webview.posted).toEqual([{ type: 'error', message: 'Not connected to the AI Platform.' }]);
      await connection.connect();
      await vi.waitFor(() => expect(page.view().charts.map((c) => c.tag)).toEqual(['accuracy']));
      expect(page.model.options).toMatchObject({
        tagFilter: '^acc',
        smoothing: 0.3,
        xAxis: 'relative',
        logScale: true,
      });
      expect(page.chart('accuracy')!.xTicks[0]!.label).toBe('0s');
      expect(panel.title).toBe('TensorBoard: restored');
      // A second restore of the same sources, and a state that is not one, close their panels.
      const twice = new FakeWebviewPanel('aiplat.scalars', 'x', {});
      expect(restoredPanels.restore(twice as unknown as vscode.WebviewPanel, saved)).toBeUndefined();
      expect(twice.disposed).toBe(true);
      const junk = new FakeWebviewPanel('aiplat.scalars', 'x', {});
      expect(restoredPanels.restore(junk as unknown as vscode.WebviewPanel, { jobId: 'j' })).toBeUndefined();
      expect(junk.disposed).toBe(true);
    } finally {
      restoredPanels.dispose();
      events.dispose();
      connection.dispose();
    }
  }, 30_000);

  it('reads its sources again after a reconnect, with the points written while it was away', async () => {
    await live.backend.writeFile(`home/${live.backend.user}/away/${FILE}`, eventFile(loss(1, 3)));
    const own = await connectTo(live.backend);
    const ownPanels = panelsFor(own, jobs);
    try {
      const page = new TestPage(fakeOf(ownPanels.show([{ path: 'home/away', label: 'away' }])));
      await page.ready();
      await vi.waitFor(() => expect(page.chart('loss')?.lines[0]!.count).toBe(3));
      // Another follower of the folder (another window) keeps the server reading it meanwhile: the
      // points it reads while this one is away are pushed to the other only.
      const seenElsewhere: number[] = [];
      const other = live.events.subscribe(scalarsTopic('home/away'), (event) => {
        if (event.kind === 'scalars')
          seenElsewhere.push(...event.data.series.flatMap((x) => x.points.map((p) => p.step)));
      });
      own.connection.disconnect();
      await appendFile(home(`away/${FILE}`), eventFile(loss(4, 5)));
      await vi.waitFor(() => expect(seenElsewhere).toContain(5), { timeout: 10_000 });
      other.dispose();
      await own.connection.connect();
      await vi.waitFor(() => expect(page.chart('loss')!.lines[0]!.count).toBe(5), { timeout: 10_000 });
    } finally {
      ownPanels.dispose();
      own.events.dispose();
      own.connection.dispose();
    }
  });

  it("reads a job's summaries once the job starts when its folder was not there yet", async () => {
    const client = live.backend.client();
    const job = await client.createJob({
      body: { spec: { ...TWO_NODE_ECHO, name: 'later', nodes: 1, command: 'true' } },
    });
    await vi.waitFor(async () => expect((await client.getJob({ params: { id: job.id } })).state).toBe('Succeeded'), {
      timeout: 20_000,
    });
    // As for a job still queued: no summaries folder yet.
    await rm(home(`summaries/${job.id}`), { recursive: true, force: true });
    const page = new TestPage(fakeOf(panels.show([jobSource(job)])));
    await page.ready();
    await vi.waitFor(() => expect(page.view().sources[0]!.failed).toBe(true));

    await live.backend.writeFile(`home/${live.backend.user}/summaries/${job.id}/${FILE}`, eventFile(loss(1, 2)));
    await client.startJobAgain({ params: { id: job.id }, body: {} });
    await vi.waitFor(() => expect(page.chart('loss')?.lines[0]!.count).toBe(2), { timeout: 20_000 });
    expect(page.view().sources[0]!.failed).toBe(false);
  }, 60_000);

  it('says how to install TensorBoard when the server has none, and opens nothing', async () => {
    const page = new TestPage(fakeOf(panels.show([{ path: 'home/restored', label: 'restored' }])));
    await page.ready();
    await page.send({ type: 'openTensorBoard' });
    const status = page.view().tensorboard;
    expect(status?.failed).toBe(true);
    expect(status?.text).toContain('pip install tensorboard');
    expect(fake.openedExternal).toEqual([]);
  });
});

describe('the TensorBoard panel where the server runs TensorBoard', () => {
  let live: Live | undefined;
  beforeAll(async () => {
    live = await startLive(`tensorboard: { command: ${JSON.stringify(STAND_IN)} }\n`);
  });
  afterAll(() => stopLive(live));

  it('starts it for the first source and opens it in the browser through a one-time login link', async () => {
    fake.reset();
    const { backend, connection, events } = live!;
    const jobs = new JobsModel({ client: () => connection.client, events });
    const panels = panelsFor({ connection, events }, jobs);
    try {
      await backend.writeFile(`home/${backend.user}/runs/a/${FILE}`, eventFile(loss(1, 3)));
      const page = new TestPage(fakeOf(panels.show([{ path: 'home/runs', label: 'runs' }])));
      await page.ready();
      await page.send({ type: 'openTensorBoard' });
      expect(page.view().tensorboard).toEqual({ text: 'TensorBoard is open in your browser.', failed: false });
      expect(fake.openedExternal).toHaveLength(1);
      const link = new URL(fake.openedExternal[0]!);
      expect(link.origin).toBe(new URL(backend.url).origin);
      // The link signs a browser in and leads to the TensorBoard the server runs for home/runs.
      const answer = await fetch(link, { redirect: 'manual' });
      const [board] = (await backend.client().listTensorBoards()).items;
      expect(board).toMatchObject({ path: 'home/runs', state: 'Running' });
      expect(answer.headers.get('location')).toBe(board!.url);
      // Asked again: the running one is reused.
      await page.send({ type: 'openTensorBoard' });
      expect((await backend.client().listTensorBoards()).items).toHaveLength(1);
      expect(fake.openedExternal).toHaveLength(2);
    } finally {
      panels.dispose();
      jobs.dispose();
    }
  }, 60_000);
});
