import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliRunner } from '../../../testing/src/backend/cliRunner.js';
import { startPlatform, type PlatformFixture } from '../../../testing/src/backend/platformFixture.js';

const MODEL_SERVER = fileURLToPath(new URL('../../../testing/src/services/model_server.py', import.meta.url));

let fx: PlatformFixture;
let aiplat: ReturnType<typeof cliRunner>;

const serviceYaml = (name: string) => `name: ${name}
auth: [appkey, token]
version:
  model: mount/models/tiny-gpt2
  command: exec python3 ${MODEL_SERVER}
  resources: { cpu: 0.5, memory: 256Mi }
  replicas: 1
`;

beforeAll(async () => {
  fx = await startPlatform({
    devMachines: { startDefault: false },
    services: { readyTimeoutMs: 30_000, stopGraceMs: 1_000 },
  });
  aiplat = cliRunner(fx);
  await writeFile(path.join(fx.dir, 'service.yaml'), serviceYaml('cli-demo'));
  await writeFile(
    path.join(fx.dir, 'bad.yaml'),
    'name: cli-demo\nversion:\n  model: /work/mount/models/tiny-gpt2\n  command: x\n  resources: { cpu: 1, memory: 1Gi }\n',
  );
}, 60_000);
afterAll(() => fx?.close(), 30_000);

async function waitRunning(name: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if ((await fx.client().getService({ params: { name } })).state === 'Running') return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} never ran`);
}

describe('aiplat service and aiplat appkey', () => {
  it('names the field and line of a bad service.yaml', async () => {
    const bad = await aiplat(['service', 'deploy', '-f', 'bad.yaml']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('version.model');
    expect(bad.stderr).toContain('relative to /work');
    expect(bad.stderr).toContain('line 3');
  });

  it('refuses a dry run on a server without the Kubernetes engine, saying why', async () => {
    const dry = await aiplat(['service', 'deploy', '-f', 'service.yaml', '--dry-run']);
    expect(dry.code).not.toBe(0);
    expect(dry.stderr).toContain('Kubernetes engine is not configured');
  });

  it('deploys, lists, shows logs, makes a token and a signed curl call that works', async () => {
    const deployed = await aiplat(['service', 'deploy', '-f', 'service.yaml']);
    expect(deployed.code).toBe(0);
    expect(deployed.stdout).toContain('/services/cli-demo/');
    await waitRunning('cli-demo');
    const list = await aiplat(['service', 'list']);
    expect(list.stdout).toMatch(/cli-demo\s+Running\s+v1\s+1\/1\s+\/services\/cli-demo\//);
    const logs = await aiplat(['service', 'logs', 'cli-demo', '--search', 'listening']);
    expect(logs.stdout).toMatch(/listening on \d+/);
    const token = await aiplat(['service', 'token', 'create', 'cli-demo', '--per-day', '1000']);
    expect(token.stdout.trim()).toMatch(/^aiplat-sk-/);
    expect(token.stderr).toContain('only time');
    const answer = await fetch(`${fx.baseUrl}/services/cli-demo/healthz`, {
      headers: { authorization: `Bearer ${token.stdout.trim()}` },
    });
    expect(answer.status).toBe(200);

    const key = await aiplat(['appkey', 'create', '--service', 'cli-demo']);
    const appKey = /AppKey: (\S+)/.exec(key.stdout)![1]!;
    const secret = /AppSecret: (\S+)/.exec(key.stdout)![1]!;
    const signer = cliRunner(fx, 'alice', { DEMO_SECRET: secret });
    const curl = await signer([
      'service',
      'curl',
      'cli-demo',
      '--appkey',
      appKey,
      '--secret-env',
      'DEMO_SECRET',
      '--path',
      '/predict',
      '--data',
      '{"x":1}',
    ]);
    expect(curl.code).toBe(0);
    const timestamp = /Timestamp: (\d+)/.exec(curl.stdout)![1]!;
    const sign = /Sign: ([0-9a-f]+)/.exec(curl.stdout)![1]!;
    const openssl = execFileSync('openssl', ['dgst', '-sha1', '-hmac', secret], {
      input: `${appKey}${secret}${timestamp}`,
    })
      .toString()
      .trim()
      .split(/\s+/)
      .pop();
    expect(sign).toBe(openssl);
    // Not execFileSync: the backend answering curl runs in this process.
    const called = await promisify(execFile)('sh', ['-c', `${curl.stdout.trim()} -s -o /dev/null -w '%{http_code}'`], {
      timeout: 20_000,
    });
    expect(called.stdout).toBe('200');
    expect(curl.stdout).not.toContain(secret);
  }, 60_000);

  it('stops and deletes', async () => {
    expect((await aiplat(['service', 'stop', 'cli-demo'])).stdout).toContain('Stopped');
    expect((await aiplat(['service', 'delete', 'cli-demo'])).stdout).toContain('deleted');
    const gone = await aiplat(['service', 'get', 'cli-demo']);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toContain('no service cli-demo');
  }, 30_000);
});
