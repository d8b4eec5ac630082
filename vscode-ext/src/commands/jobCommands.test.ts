import { describe, expect, it, vi } from 'vitest';
import type { JobNode } from '../jobs/jobsTreeProvider.js';
import { jobStates, waitForJobState, useActivatedExtension } from '../test/activateAgainst.js';
import { TWO_NODE_ECHO } from '../test/connectedServices.js';
import { commands, fake, FakeWebviewPanel } from '../test/vscodeFake.js';
import { waitUntil } from '../test/wait.js';
import type { HostMessage } from '../webviews/jobDetails/protocol.js';
import { CommandIds } from './commandIds.js';

vi.mock('vscode', () => import('../test/vscodeFake.js'));

const live = useActivatedExtension();

const LONG = { ...TWO_NODE_ECHO, name: 'long', nodes: 1, command: 'echo started; sleep 60' };

function jobNode(id: string): JobNode {
  const node = live.extension.jobsTree.getChildren().find((n) => n.kind === 'job' && n.job.id === id);
  if (!node) throw new Error(`no job ${id} in the view`);
  return node;
}

describe('job commands against the real backend', () => {
  it('shows live states in the Jobs view, with context values for the menus', async () => {
    const job = await live.backend.client().createJob({ body: { spec: LONG } });
    await waitForJobState(live.extension, live.backend, job.id, 'Running');
    const running = live.extension.jobsTree.getTreeItem(jobNode(job.id));
    expect(running.label).toBe('long');
    expect(running.contextValue).toBe('aiplat.job.active');
    expect(running.description).toBe('Running');
    expect(running.command).toEqual({
      command: CommandIds.showJobDetails,
      title: 'Show Job Details',
      arguments: [job.id],
    });
    const status = fake.statusBarItems[0]!;
    await waitUntil(
      live.extension.jobsTree.onDidChangeTreeData,
      () => status.text === '$(beaker) 1 running',
      'status bar',
    );

    // Stop from the palette: the quick pick offers only jobs that can be stopped.
    fake.quickPickAnswers.push(`long (${job.id})`);
    await commands.executeCommand(CommandIds.stopJob);
    await waitForJobState(live.extension, live.backend, job.id, 'Stopped');
    // The stop the user asked for is done: they are told, once.
    await vi.waitFor(() =>
      expect(fake.messages.filter((m) => m.severity === 'info')).toEqual([
        { severity: 'info', text: `long (${job.id}) stopped.`, items: ['Show Details'] },
      ]),
    );
    expect(live.extension.jobsTree.getTreeItem(jobNode(job.id)).contextValue).toBe('aiplat.job.finished');
    expect(status.text).toBe('$(beaker) 0 running');
  });

  it('starts a finished job again, copies it into an editor and deletes it after asking', async () => {
    const job = await live.backend.client().createJob({ body: { spec: TWO_NODE_ECHO } });
    await waitForJobState(live.extension, live.backend, job.id, 'Succeeded');

    await commands.executeCommand(CommandIds.startJobAgain, jobNode(job.id));
    await waitForJobState(live.extension, live.backend, job.id, 'Succeeded');

    await commands.executeCommand(CommandIds.copyJob, job.id);
    expect(fake.openedDocuments.at(-1)?.language).toBe('yaml');
    expect(fake.openedDocuments.at(-1)?.content).toContain('mode: ddp');
    expect(fake.openedDocuments.at(-1)?.content).toContain('nodes: 2');

    fake.messageAnswers.push(undefined);
    await commands.executeCommand(CommandIds.deleteJob, job.id);
    expect(fake.messages.at(-1)?.text).toBe(`Delete t (${job.id}) and its logs? This cannot be undone.`);
    expect((await live.backend.client().getJob({ params: { id: job.id } })).id).toBe(job.id);

    fake.messageAnswers.push('Delete');
    await commands.executeCommand(CommandIds.deleteJob, job.id);
    expect(jobStates(live.extension.jobsTree).has(job.id)).toBe(false);
    await expect(live.backend.client().getJob({ params: { id: job.id } })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('shows a refusal from the server as an error message', async () => {
    const job = await live.backend.client().createJob({ body: { spec: LONG } });
    await waitForJobState(live.extension, live.backend, job.id, 'Running');
    fake.messageAnswers.push('Delete');
    await commands.executeCommand(CommandIds.deleteJob, job.id);
    expect(fake.messages.at(-1)?.severity).toBe('error');
    await live.backend.client().stopJob({ params: { id: job.id }, body: { force: true } });
  });

  it('follows logs in one output channel per instance, to the end', async () => {
    const job = await live.backend.client().createJob({ body: { spec: TWO_NODE_ECHO } });
    fake.quickPickAnswers.push('node-1');
    await commands.executeCommand(CommandIds.showJobLogs, job.id);
    expect(fake.quickPicks[0]?.labels).toEqual(['node-0', 'node-1']);
    const channel = fake.outputChannels.find((c) => c.name === 't · node-1'.replace(/^/, 'AI Platform: '))!;
    expect(channel.shown).toBe(true);
    await waitForJobState(live.extension, live.backend, job.id, 'Succeeded');
    await vi.waitFor(() => expect(channel.text).toContain('end of the log'));
    expect(channel.text).toMatch(/ hi\n/);
    const other = fake.outputChannels.find((c) => c.name === 'AI Platform: t · node-0')!;
    expect(other.text).toMatch(/ hi\n/);

    fake.inputBoxAnswers.push('hi');
    await commands.executeCommand(CommandIds.searchJobLogs, job.id);
    const search = fake.outputChannels.at(-1)!;
    expect(search.name).toBe('AI Platform: "hi" in t');
    expect(
      search.text
        .split('\n')
        .filter((l) => l.endsWith(' hi'))
        .map((l) => l.split(' ')[0])
        .sort(),
    ).toEqual(['node-0', 'node-1']);
  });
});

describe('job details webview', () => {
  it('has a strict CSP, answers the ready handshake with the job, and runs button actions', async () => {
    const job = await live.backend.client().createJob({ body: { spec: LONG } });
    await commands.executeCommand(CommandIds.showJobDetails, job.id);
    const panel = fake.webviewPanels.at(-1) as FakeWebviewPanel;
    expect(panel.viewType).toBe('aiplat.jobDetails');
    expect(panel.title).toBe(`long (${job.id})`);
    const html = panel.webview.html;
    const nonce = /nonce-([A-Za-z0-9_-]+)/.exec(html)?.[1];
    expect(nonce).toBeDefined();
    expect(html).toContain(`default-src 'none'`);
    expect(html).toContain(`script-src 'nonce-${nonce}'`);
    expect(html).toContain(`<script nonce="${nonce}" src="https://webview.fake/ext/dist/webviews/jobDetails.js">`);
    expect(html).not.toMatch(/<script(?![^>]*nonce=)/);

    expect(panel.webview.posted).toEqual([]); // nothing before the handshake
    await panel.webview.receive({ type: 'ready' });
    const init = panel.webview.posted[0] as Extract<HostMessage, { type: 'init' }>;
    expect(init.type).toBe('init');
    expect(init.job.id).toBe(job.id);
    expect(init.strings.actions.stop).toBe('Stop');
    expect(init.events.map((e) => e.type)).toContain('submitted');

    await waitForJobState(live.extension, live.backend, job.id, 'Running');
    await vi.waitFor(() => expect(panel.webview.posted.some((m) => (m as HostMessage).type === 'job')).toBe(true));

    await panel.webview.receive({ type: 'nonsense' });
    await panel.webview.receive({ type: 'action', action: 'rm -rf' });
    await panel.webview.receive({ type: 'action', action: 'stop' });
    await waitForJobState(live.extension, live.backend, job.id, 'Stopped');
    await vi.waitFor(() => {
      const last = panel.webview.posted.filter((m) => (m as HostMessage).type === 'job').at(-1) as Extract<
        HostMessage,
        { type: 'job' }
      >;
      expect(last.summary.actions).toEqual(['startAgain', 'copy', 'delete', 'showLogs', 'tensorboard']);
    });

    // Opening the same job again reveals the same panel.
    await commands.executeCommand(CommandIds.showJobDetails, job.id);
    expect(fake.webviewPanels.filter((p) => p.viewType === 'aiplat.jobDetails')).toHaveLength(1);
    expect(panel.revealed).toBe(1);
  });

  it('comes back after a window reload for the job its page saved (serializer)', async () => {
    const job = await live.backend.client().createJob({ body: { spec: TWO_NODE_ECHO } });
    const serializer = fake.serializers.get('aiplat.jobDetails');
    expect(serializer).toBeDefined();

    // What VS Code does on reload: a panel of our view type, with the state the page saved.
    const panel = new FakeWebviewPanel('aiplat.jobDetails', `t (${job.id})`, {});
    await serializer!.deserializeWebviewPanel(panel, { jobId: job.id });
    expect(panel.webview.html).toContain('dist/webviews/jobDetails.js');
    expect(panel.webview.options).toMatchObject({ enableScripts: true });
    await panel.webview.receive({ type: 'ready' });
    const init = panel.webview.posted[0] as Extract<HostMessage, { type: 'init' }>;
    expect([init.type, init.job.id, init.summary.overview.find((r) => r.key === 'command')?.value]).toEqual([
      'init',
      job.id,
      'echo hi',
    ]);

    // It is the job's panel again: Show Job Details reveals it instead of opening another.
    await commands.executeCommand(CommandIds.showJobDetails, job.id);
    expect(panel.revealed).toBe(1);
    expect(fake.webviewPanels).toHaveLength(0);

    // A panel without a usable state closes instead of showing an empty page.
    const stale = new FakeWebviewPanel('aiplat.jobDetails', 'old', {});
    await serializer!.deserializeWebviewPanel(stale, undefined);
    expect(stale.disposed).toBe(true);
  });

  it('charts the loss the job prints, read from its logs', async () => {
    const spec = { ...TWO_NODE_ECHO, name: 'lossy', command: 'echo "step 1 loss: 2.5"; echo "step 2 loss=1.25"' };
    const job = await live.backend.client().createJob({ body: { spec } });
    await commands.executeCommand(CommandIds.showJobDetails, job.id);
    const panel = fake.webviewPanels.at(-1) as FakeWebviewPanel;
    await panel.webview.receive({ type: 'ready' });
    await vi.waitFor(
      () => {
        const loss = panel.webview.posted.filter((m) => (m as HostMessage).type === 'loss').at(-1) as
          Extract<HostMessage, { type: 'loss' }> | undefined;
        expect(loss?.series.map((s) => [s.instance, s.points.map((p) => p[1])])).toEqual([
          [0, [2.5, 1.25]],
          [1, [2.5, 1.25]],
        ]);
      },
      { timeout: 20_000 },
    );
  });

  it('Force Stop on the page stops the job without the grace period', async () => {
    const trapsTerm = { ...LONG, name: 'stubborn', command: "trap '' TERM; echo started; sleep 60" };
    const job = await live.backend.client().createJob({ body: { spec: trapsTerm } });
    await waitForJobState(live.extension, live.backend, job.id, 'Running');
    await commands.executeCommand(CommandIds.showJobDetails, job.id);
    const panel = fake.webviewPanels.at(-1) as FakeWebviewPanel;
    await panel.webview.receive({ type: 'ready' });
    const init = panel.webview.posted[0] as Extract<HostMessage, { type: 'init' }>;
    expect(init.summary.actions).toEqual(['stop', 'forceStop', 'copy', 'showLogs', 'tensorboard']);

    await panel.webview.receive({ type: 'action', action: 'forceStop' });
    await waitForJobState(live.extension, live.backend, job.id, 'Stopped');
    const events = await live.backend.client().jobEvents({ params: { id: job.id }, query: {} });
    expect(events.events.map((e) => e.message).join('\n')).toContain('stop requested: killing every instance');
    await vi.waitFor(() => expect(fake.messages.at(-1)?.text).toBe(`stubborn (${job.id}) stopped.`));
  });
});
