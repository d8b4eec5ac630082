import { fileURLToPath } from 'node:url';
import type { ServiceToken } from '@aiplat/api';
import { describe, expect, it, vi } from 'vitest';
import { CommandIds, ViewIds } from '../commands/commandIds.js';
import { useActivatedExtension } from '../test/activateAgainst.js';
import { commands, fake, FakeWebviewPanel } from '../test/vscodeFake.js';
import type { HostMessage } from '../webviews/service/protocol.js';
import { SERVICE_VIEW_TYPE } from '../webviews/service/servicePanels.js';
import type { ServiceNode, ServicesTreeProvider } from './servicesTreeProvider.js';

vi.mock('vscode', () => import('../test/vscodeFake.js'));

/*
 * The Services view, its commands and the service page against the real backend: a Python model
 * server deployed through the Deploy Service flow runs on the local engine, is called through the
 * gateway from the page (the connection's token), and a chat server streams its answer word by word.
 */

const MODEL_SERVER = fileURLToPath(new URL('../../../testing/src/services/model_server.py', import.meta.url));
const CHAT_SERVER = fileURLToPath(new URL('../../../testing/src/services/chat_server.py', import.meta.url));

const live = useActivatedExtension();

const tree = () => fake.treeProviders.get(ViewIds.services) as ServicesTreeProvider;

async function serviceNode(name: string, state: string): Promise<Extract<ServiceNode, { kind: 'service' }>> {
  let found: ServiceNode | undefined;
  await vi.waitFor(
    async () => {
      found = (await tree().getChildren()).find((node) => node.kind === 'service' && node.service.name === name);
      expect(found?.kind === 'service' ? found.service.state : undefined).toBe(state);
    },
    { timeout: 90_000, interval: 100 },
  );
  return found as Extract<ServiceNode, { kind: 'service' }>;
}

function servicePage(name: string): FakeWebviewPanel {
  const panel = fake.webviewPanels.find((p) => p.viewType === SERVICE_VIEW_TYPE && p.title.endsWith(name));
  if (!panel) throw new Error(`no page for ${name}`);
  return panel;
}

const posted = (panel: FakeWebviewPanel) => panel.webview.posted as HostMessage[];

async function postedOf<T extends HostMessage['type']>(
  panel: FakeWebviewPanel,
  type: T,
  ok: (m: Extract<HostMessage, { type: T }>) => boolean = () => true,
): Promise<Extract<HostMessage, { type: T }>> {
  let found: Extract<HostMessage, { type: T }> | undefined;
  await vi.waitFor(
    () => {
      found = posted(panel).find((m): m is Extract<HostMessage, { type: T }> => m.type === type && ok(m as never));
      expect(found, `a ${type} message`).toBeDefined();
    },
    { timeout: 30_000, interval: 50 },
  );
  return found!;
}

/** Forgets the prompts and messages recorded so far (the next command's are checked alone). */
function forgetPrompts(): void {
  fake.inputBoxes.length = 0;
  fake.quickPicks.length = 0;
  fake.messages.length = 0;
}

describe('services in VS Code against the real backend', () => {
  it('deploys with the guided flow, shows it Running with its replicas and events, and follows its logs', async () => {
    fake.inputBoxAnswers.push(
      'tiny', // name
      'mount/models/tiny-gpt2', // model
      '', // code
      `exec python3 ${MODEL_SERVER}`, // command
      '', // environment
      '', // image
      '8080', // port
      '0.5', // cpu
      '256Mi', // memory
      '1', // replicas
      '/ready', // readiness path
    );
    fake.quickPickAnswers.push(
      'none', // accelerator
      'None', // requirements
      'No probe', // startup
      'When an HTTP path answers 2xx or 3xx', // readiness
      'No probe', // liveness
      'Use the defaults', // probe timings
      'AppKey signatures and bearer tokens',
    );
    await commands.executeCommand(CommandIds.deployService);
    expect(fake.messages.filter((m) => m.severity === 'error')).toEqual([]);
    expect(fake.inputBoxes[0]).toMatchObject({ title: 'Deploy Service', step: 1, totalSteps: 16 });

    const running = await serviceNode('tiny', 'Running');
    const item = tree().getTreeItem(running);
    expect(item.label).toBe('tiny');
    expect(item.description).toBe('Running · 1/1 ready');
    expect(item.contextValue).toBe('aiplat.service.running');
    const groups = await tree().getChildren(running);
    expect(groups.map((g) => tree().getTreeItem(g).label)).toEqual(['Versions', 'Replicas', 'Events']);
    const [versions, replicas, events] = await Promise.all(groups.map((g) => tree().getChildren(g)));
    expect(versions?.map((v) => tree().getTreeItem(v).description)).toEqual(['serving · mount/models/tiny-gpt2']);
    const replica = replicas?.[0];
    expect(replica && tree().getTreeItem(replica)).toMatchObject({ label: 'Replica 0 (v1)', description: 'Ready' });
    expect(events?.some((e) => e.kind === 'event' && e.event.type === 'running')).toBe(true);

    await commands.executeCommand(CommandIds.copyServiceUrl, 'tiny');
    expect(fake.clipboard).toBe(`${live.backend.url}/services/tiny/`);

    // The replica's item runs Show Logs: its channel has what the server printed, and follows it.
    const command = tree().getTreeItem(replica!).command!;
    await commands.executeCommand(command.command, ...(command.arguments ?? []));
    const channel = fake.outputChannels.find((c) => c.name === 'AI Platform: tiny · v1 #0');
    expect(channel?.shown).toBe(true);
    await fetch(`${live.backend.url}/services/tiny/echo?marker=from-the-test`, {
      headers: { authorization: `Bearer ${live.backend.token}` },
    });
    await vi.waitFor(() => expect(channel?.text).toContain('marker=from-the-test'), { timeout: 30_000 });
  }, 120_000);

  it('opens the service page: tokens shown once, AppKeys, a signed curl, a test call through the gateway', async () => {
    await serviceNode('tiny', 'Running');
    await commands.executeCommand(CommandIds.openService, 'tiny');
    const panel = servicePage('tiny');
    expect(panel.title).toBe('Service: tiny');
    expect(panel.webview.html).toContain("script-src 'nonce-");
    await panel.webview.receive({ type: 'ready' });
    const init = await postedOf(panel, 'init');
    expect(init.summary).toMatchObject({ url: `${live.backend.url}/services/tiny/`, stateLabel: 'Running' });
    expect(init.tokens).toEqual([]);
    expect(init.strings.sections.tokens).toBe('Bearer tokens (TI-ONE)');

    await panel.webview.receive({ type: 'createToken', description: 'from vscode', tokensPerDay: 1000 });
    const secret = await postedOf(panel, 'secret');
    expect(secret.secret.kind).toBe('token');
    const tokens = await postedOf(panel, 'tokens');
    expect(tokens.tokens).toHaveLength(1);
    const token: ServiceToken = tokens.tokens[0]!;
    expect(token).toMatchObject({ description: 'from vscode', enabled: true, tokensPerDay: 1000 });
    expect(JSON.stringify(tokens)).not.toContain(secret.secret.secret);
    // The token calls the service.
    const called = await fetch(`${live.backend.url}/services/tiny/echo`, {
      headers: { authorization: `Bearer ${secret.secret.secret}` },
    });
    expect(called.status).toBe(200);
    await panel.webview.receive({ type: 'setTokenEnabled', id: token.id, enabled: false });
    await postedOf(panel, 'tokens', (m) => m.tokens[0]?.enabled === false);

    await panel.webview.receive({ type: 'createAppKey', description: 'curl' });
    const appSecret = await postedOf(panel, 'secret', (m) => m.secret.kind === 'appKey');
    const appKeys = await postedOf(panel, 'appKeys');
    expect(appKeys.appKeys.map((k) => k.appKey)).toEqual([appSecret.secret.id]);
    await panel.webview.receive({
      type: 'signCurl',
      appKey: appSecret.secret.id,
      appSecret: appSecret.secret.secret,
      path: '/predict',
      body: '{"text":"hi"}',
    });
    const curl = await postedOf(panel, 'curl');
    expect(curl.command).toContain(`'${live.backend.url}/services/tiny/predict'`);
    expect(curl.command).toContain(`'AppKey: ${appSecret.secret.id}'`);
    expect(curl.command).not.toContain(appSecret.secret.secret);
    expect(curl.appKey).toBe(appSecret.secret.id);
    // The signed call answers (the headers as the command has them).
    const header = (name: string) => new RegExp(`'${name}: ([^']+)'`).exec(curl.command)?.[1] ?? '';
    const signed = await fetch(`${live.backend.url}/services/tiny/predict`, {
      method: 'POST',
      headers: { AppKey: header('AppKey'), Timestamp: header('Timestamp'), Sign: header('Sign') },
      body: '{"text":"hi"}',
    });
    expect(signed.status).toBe(200);

    await panel.webview.receive({ type: 'testRequest', method: 'POST', path: '/predict', body: '{"text": "hello"}' });
    const answer = await postedOf(panel, 'testResponse');
    expect(answer.response.status).toBe(200);
    expect(JSON.parse(answer.response.body)).toMatchObject({ model_type: 'gpt2', input: { text: 'hello' } });

    await panel.webview.receive({ type: 'testRequest', method: 'GET', path: 'no-slash', body: '' });
    await postedOf(panel, 'testError', (m) => m.message === 'The path must start with / and hold no spaces.');

    // The gateway's 10 s bucket with these calls closes and comes over the service-metrics topic.
    const bucket = await postedOf(panel, 'metricPoint', (m) => m.point.requests > 0);
    expect(bucket.point.successes).toBeGreaterThan(0);
    panel.dispose();

    // After a window reload VS Code hands the panel back with the state the page saved.
    const serializer = fake.serializers.get(SERVICE_VIEW_TYPE)!;
    const restored = new FakeWebviewPanel(SERVICE_VIEW_TYPE, 'Service: tiny', {});
    await serializer.deserializeWebviewPanel(restored, { name: 'tiny' });
    await restored.webview.receive({ type: 'ready' });
    const again = await postedOf(restored, 'init');
    expect(again.tokens.map((t) => t.id)).toEqual([token.id]);
    const unusable = new FakeWebviewPanel(SERVICE_VIEW_TYPE, 'Service: ?', {});
    await serializer.deserializeWebviewPanel(unusable, { name: '../x' });
    expect(unusable.disposed).toBe(true);
    restored.dispose();
  }, 120_000);

  it('streams a chat from an OpenAI-compatible server delta by delta', async () => {
    await live.backend.client().deployService({
      body: {
        spec: {
          name: 'chat',
          auth: ['token'],
          version: {
            model: 'mount/models/tiny-gpt2',
            command: `exec python3 ${CHAT_SERVER}`,
            env: { CHUNK_DELAY_MS: '50', REPLY_WORDS: '4' },
            resources: { cpu: 0.5, memory: '256Mi' },
          },
        },
      },
    });
    await serviceNode('chat', 'Running');
    await commands.executeCommand(CommandIds.openService, 'chat');
    const panel = servicePage('chat');
    await panel.webview.receive({ type: 'ready' });
    await postedOf(panel, 'init');
    await panel.webview.receive({ type: 'chat', id: 'c1', messages: [{ role: 'user', content: 'hi' }] });
    const done = await postedOf(panel, 'chatDone');
    expect(done.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 4 });
    const deltas = posted(panel).filter((m) => m.type === 'chatDelta');
    expect(deltas.map((m) => (m.type === 'chatDelta' ? m.text : ''))).toEqual(['word0 ', 'word1 ', 'word2 ', 'word3 ']);
    panel.dispose();
  }, 120_000);

  it('scales, rolls out a new version (a 400 back at its step), changes auth and limits, searches the logs', async () => {
    const node = await serviceNode('tiny', 'Running');
    forgetPrompts();
    fake.inputBoxAnswers.push('2');
    await commands.executeCommand(CommandIds.scaleService, node);
    expect(fake.inputBoxes[0]).toMatchObject({ title: 'Scale tiny', value: '1' });
    await vi.waitFor(
      async () => {
        const scaled = await serviceNode('tiny', 'Running');
        expect(tree().getTreeItem(scaled).description).toBe('Running · 2/2 ready');
      },
      { timeout: 90_000, interval: 200 },
    );

    // A model folder that does not exist: the server's 400 brings the flow back to the model step.
    const versionAnswers = (model: string) => [
      model,
      '', // code
      `exec python3 ${MODEL_SERVER}`,
      '', // environment
      '', // image
      '8080',
      '0.5',
      '256Mi',
      '1', // replicas
      '/ready', // readiness path
    ];
    const versionPicks = [
      'none',
      'None',
      'No probe',
      'When an HTTP path answers 2xx or 3xx',
      'No probe',
      'Use the defaults',
    ];
    forgetPrompts();
    fake.inputBoxAnswers.push(...versionAnswers('mount/models/not-there'), ...versionAnswers('mount/models/tiny-gpt2'));
    fake.quickPickAnswers.push(...versionPicks, ...versionPicks);
    await commands.executeCommand(CommandIds.rollOutServiceVersion, 'tiny');
    expect(fake.inputBoxes[0]).toMatchObject({
      title: 'Roll Out a New Version of tiny',
      value: 'mount/models/tiny-gpt2',
    });
    expect(fake.inputBoxes[2]).toMatchObject({ value: `exec python3 ${MODEL_SERVER}` });
    expect(fake.quickPicks.find((p) => p.labels.includes('No probe'))?.active).toBe('No probe');
    expect(fake.inputBoxes[10]).toMatchObject({
      value: 'mount/models/not-there',
      step: 1,
      validationMessage: 'does not exist under /work',
    });
    expect(fake.messages.filter((m) => m.severity === 'error')).toEqual([]); // said at its step instead
    await vi.waitFor(
      async () => {
        const service = await live.backend.client().getService({ params: { name: 'tiny' } });
        expect(service).toMatchObject({ version: 2, state: 'Running' });
        expect(service.versions.find((v) => v.serving)?.version).toBe(2);
      },
      { timeout: 90_000, interval: 200 },
    );

    forgetPrompts();
    fake.inputBoxAnswers.push('50', '8', '1MiB', '30');
    await commands.executeCommand(CommandIds.changeServiceLimits, 'tiny');
    fake.quickPickAnswers.push('Bearer tokens (TI-ONE)');
    await commands.executeCommand(CommandIds.changeServiceAuth, 'tiny');
    const changed = await live.backend.client().getService({ params: { name: 'tiny' } });
    expect(changed.limits).toEqual({
      qpsPerReplica: 50,
      concurrencyPerReplica: 8,
      maxBodyBytes: 1024 * 1024,
      upstreamTimeoutSeconds: 30,
    });
    expect(changed.auth).toEqual(['token']);
    expect(fake.messages.filter((m) => m.severity === 'error')).toEqual([]);

    // Search: the API's search over the serving version's replicas, in a channel of its own.
    await fetch(`${live.backend.url}/services/tiny/echo?marker=needle-42`, {
      headers: { authorization: `Bearer ${live.backend.token}` },
    });
    await vi.waitFor(
      async () => {
        fake.inputBoxAnswers.push('needle-42');
        await commands.executeCommand(CommandIds.searchServiceLogs, 'tiny');
        const found = fake.outputChannels.findLast((c) => c.name === 'AI Platform: "needle-42" in tiny · v2');
        expect(found?.text).toMatch(/#\d .*needle-42/);
        expect(found?.text).not.toMatch(/marker=from-the-test/);
      },
      { timeout: 30_000, interval: 500 },
    );
  }, 240_000);

  it('stops and deletes a service after asking, and the view follows', async () => {
    await serviceNode('tiny', 'Running');
    fake.messageAnswers.push('Stop');
    await commands.executeCommand(CommandIds.stopService, 'tiny');
    await serviceNode('tiny', 'Stopped');
    fake.messageAnswers.push('Delete');
    await commands.executeCommand(CommandIds.deleteService, 'tiny');
    await vi.waitFor(async () =>
      expect((await tree().getChildren()).some((n) => n.kind === 'service' && n.service.name === 'tiny')).toBe(false),
    );
    expect(fake.messages.map((m) => m.text)).toEqual([
      'Stop tiny? Its callers get 503 until it starts again.',
      'Delete tiny? Its versions, tokens and logs go with it; its model folder stays.',
    ]);
  }, 120_000);
});
