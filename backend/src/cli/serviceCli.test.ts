import { execFile, execFileSync } from 'node:child_process';
import http from 'node:http';
import { promisify } from 'node:util';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { appKeySignature, parseServiceVersionYaml, parseServiceYaml, type WebSocketFactory } from '@aiplat/api';
import { cliRunner, outputSink, type OutputSink } from '../../../testing/src/backend/cliRunner.js';
import {
  startPlatform,
  TOKENS,
  type PlatformFixture,
  type PlatformOverrides,
} from '../../../testing/src/backend/platformFixture.js';
import { runCli, type CliDeps } from './program.js';

const MODEL_SERVER = fileURLToPath(new URL('../../../testing/src/services/model_server.py', import.meta.url));

let fx: PlatformFixture;
let aiplat: ReturnType<typeof cliRunner>;

/** `aiplat <args>` whose output can be read while it runs (a follow), optionally without a WebSocket. */
async function running(args: string[], stdout: OutputSink, createWebSocket?: WebSocketFactory) {
  const stderr = outputSink();
  const deps: CliDeps = {
    stdout,
    stderr,
    env: { AIPLAT_SERVER: fx.baseUrl, AIPLAT_TOKEN: TOKENS.alice },
    cwd: fx.dir,
    readStdin: () => Promise.resolve(''),
    pollIntervalMs: 50,
    ...(createWebSocket ? { createWebSocket } : {}),
  };
  const code = await runCli(args, deps);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** A WebSocket that cannot be opened: the follow has to poll. */
const noSockets: WebSocketFactory = () => {
  throw new Error('no WebSocket here');
};

async function until(done: () => boolean | Promise<boolean>, what: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting; so far: ${what()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Follows started while the service runs; they end when it is deleted. */
const follows: { socket?: ReturnType<typeof running>; polled?: ReturnType<typeof running> } = {};

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
  await writeFile(
    path.join(fx.dir, 'bad-version.yaml'),
    'model: mount/models/tiny-gpt2\ncommand: x\nresources: { cpu: 1, memory: 1Gi }\nreplicas: 99\n',
  );
}, 60_000);
afterAll(() => fx?.close(), 30_000);

describe('aiplat service and aiplat appkey', () => {
  it('names the field and line of a bad service.yaml', async () => {
    const bad = await aiplat(['service', 'deploy', '-f', 'bad.yaml']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('version.model');
    expect(bad.stderr).toContain('relative to /work');
    expect(bad.stderr).toContain('line 3');
  });

  it('names the field and line of a bad version.yaml, and asks what to update', async () => {
    const bad = await aiplat(['service', 'update', 'cli-demo', '-f', 'bad-version.yaml']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('bad-version.yaml is not a valid service file');
    expect(bad.stderr).toContain('replicas');
    expect(bad.stderr).toContain('line 4');
    const nothing = await aiplat(['service', 'update', 'cli-demo']);
    expect(nothing.code).not.toBe(0);
    expect(nothing.stderr).toContain('say what to change: -f version.yaml, --replicas N, --auth');
    const halfPair = await aiplat([
      'service',
      'update',
      'cli-demo',
      '--domain',
      'a.example.com',
      '--tls-cert',
      'c.pem',
    ]);
    expect(halfPair.stderr).toContain('give --tls-cert and --tls-key together');
    const badAuth = await aiplat(['service', 'update', 'cli-demo', '--auth', 'token,password']);
    expect(badAuth.stderr).toContain('--auth takes appkey, token or none (got password)');
  });

  it('reads the AppSecret only from the environment variable named', async () => {
    const curl = await aiplat([
      'service',
      'curl',
      'cli-demo',
      '--appkey',
      'ak-0123456789abcdef',
      '--secret-env',
      'NOPE',
    ]);
    expect(curl.code).not.toBe(0);
    expect(curl.stderr).toContain('the environment variable NOPE is empty');
  });

  it("signs like the guide's worked example, which openssl confirms", async () => {
    const guide = await readFile(
      fileURLToPath(new URL('../../../docs/user-guide-services.md', import.meta.url)),
      'utf8',
    );
    const example = /APPKEY=(\S+)\nSECRET=(\S+)\nTS=(\d+)\n.*\n# SHA1\(stdin\)= ([0-9a-f]{40})/.exec(guide);
    expect(example, 'the worked example in docs/user-guide-services.md').not.toBeNull();
    const [, appKey, secret, timestamp, sign] = example!;
    expect(await appKeySignature(appKey!, secret!, timestamp!)).toBe(sign);
    const openssl = execFileSync('openssl', ['dgst', '-sha1', '-hmac', secret!], {
      input: `${appKey}${secret}${timestamp}`,
    });
    expect(openssl.toString()).toContain(sign);
  });

  it('refuses a dry run on a server without the Kubernetes engine, saying why', async () => {
    const dry = await aiplat(['service', 'deploy', '-f', 'service.yaml', '--dry-run']);
    expect(dry.code).not.toBe(0);
    expect(dry.stderr).toContain('Kubernetes engine is not configured');
  });

  it('deploys, lists, shows logs, makes a token and a signed curl call that works', async () => {
    const deployed = await aiplat(['service', 'deploy', '-f', 'service.yaml', '--wait']);
    expect(deployed.code, deployed.stderr).toBe(0);
    expect(deployed.stdout).toContain('/services/cli-demo/');
    expect(deployed.stderr).toMatch(/cli-demo: Running\n$/);
    const list = await aiplat(['service', 'list']);
    expect(list.stdout).toMatch(/cli-demo\s+Running\s+v1\s+1\/1\s+\/services\/cli-demo\//);
    const got = await aiplat(['service', 'get', 'cli-demo']);
    expect(got.stdout).toMatch(/^Name: +cli-demo\nState: +Running\n/);
    expect(got.stdout).toContain('100 requests/s and 16 at once per ready replica; bodies up to 10.0 MiB');
    expect(got.stdout).toMatch(/Auth: +appkey, token\n/);
    expect(got.stdout).toMatch(
      /Versions:\n +VERSION +SERVING +MODEL +REPLICAS +AGE\n +v1 +yes +mount\/models\/tiny-gpt2 +1 /,
    );
    expect(got.stdout).toMatch(/Replicas:\n +VERSION +REPLICA +STATE +RESTARTS +AGE +MESSAGE\n +v1 +0 +Ready +0 /);
    const logs = await aiplat(['service', 'logs', 'cli-demo', '--search', 'listening']);
    expect(logs.stdout).toMatch(/listening on \d+/);
    // The guide's form: the command's own --version, not the CLI's.
    const v1 = await aiplat(['service', 'logs', 'cli-demo', '--version', '1', '--search', 'listening']);
    expect(v1).toMatchObject({ code: 0, stdout: logs.stdout });

    // Follows, over the WebSocket and by polling: lines written before and after they started.
    const call = (query: string) =>
      fetch(`${fx.baseUrl}/services/cli-demo/healthz?${query}`, {
        headers: { authorization: `Bearer ${TOKENS.alice}` },
      }).then((r) => r.text());
    await call('follow-before');
    const socketOut = outputSink();
    const polledOut = outputSink();
    follows.socket = running(['service', 'logs', 'cli-demo', '-f', '--search', 'follow-'], socketOut);
    follows.polled = running(['service', 'logs', 'cli-demo', '-f', '--search', 'follow-'], polledOut, noSockets);
    const both = () => `socket: ${socketOut.text}\npolled: ${polledOut.text}`;
    await until(() => socketOut.text.includes('follow-before') && polledOut.text.includes('follow-before'), both);
    await call('follow-after');
    await until(() => socketOut.text.includes('follow-after') && polledOut.text.includes('follow-after'), both);
    for (const out of [socketOut, polledOut]) {
      expect(out.text).toBe('GET /healthz?follow-before\nGET /healthz?follow-after\n');
    }

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
    const curlArgs = [
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
    ];
    const curl = await signer(curlArgs);
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

    // The signed call above is the key's last use: an age, not "-" (reported by the data plane
    // that served it within its next second).
    await vi.waitFor(async () => {
      const keyList = (await aiplat(['appkey', 'list'])).stdout;
      expect(keyList).toMatch(/^APPKEY\s+ENABLED\s+SERVICES\s+AGE\s+LAST USED$/m);
      expect(keyList).toMatch(new RegExp(`${appKey}\\s+yes\\s+cli-demo\\s+\\S+\\s+\\d+s$`, 'm'));
    }, 5_000);

    // A disabled AppKey's signed call is refused, saying why.
    expect((await aiplat(['appkey', 'disable', appKey])).stdout).toContain(`${appKey}: disabled`);
    const again = await signer(curlArgs);
    const refused = await promisify(execFile)('sh', ['-c', `${again.stdout.trim()} -s -w ' %{http_code}'`], {
      timeout: 20_000,
    });
    expect(refused.stdout).toContain('app_key_disabled');
    expect(refused.stdout).toMatch(/ 401$/);

    // The calls above are counted: the metrics table's REQUESTS column adds up to at least them.
    const metrics = await aiplat(['service', 'metrics', 'cli-demo', '--step', '3600']);
    expect(metrics.stdout).toMatch(/^TIME\s+REQUESTS\s+4XX\/5XX\s+THROTTLED\s+p50\s+p99\s+TOKENS/);
    const rows = metrics.stdout.trim().split('\n').slice(1);
    const requests = rows.reduce((total, row) => total + Number(row.split(/\s+/)[1]), 0);
    expect(requests).toBeGreaterThanOrEqual(4);

    const tokens = await aiplat(['service', 'token', 'list', 'cli-demo']);
    expect(tokens.stdout).toMatch(/tk-[0-9a-f]{12}\s+aiplat-sk-\S*…\s+yes\s+0\s+-\/min 1000\/day/);
  }, 60_000);

  it('changes auth, one limit (the others kept) and the domain of a running service', async () => {
    const before = await fx.client('alice').getService({ params: { name: 'cli-demo' } });
    const changed = await aiplat(['service', 'update', 'cli-demo', '--auth', 'token', '--qps', '2.5']);
    expect(changed.stdout).toMatch(/^cli-demo: Running\n$/);
    const after = await fx.client('alice').getService({ params: { name: 'cli-demo' } });
    expect(after.auth).toEqual(['token']);
    expect(after.limits).toEqual({ ...before.limits, qpsPerReplica: 2.5 });
    expect(after.version).toBe(before.version);
    await aiplat(['service', 'update', 'cli-demo', '--domain', 'cli-demo.example.com']);
    expect((await fx.client('alice').getService({ params: { name: 'cli-demo' } })).domain).toEqual({
      host: 'cli-demo.example.com',
      tls: false,
    });
    // fetch drops a Host header: node:http sends it, and the gateway routes by it (a token is now required).
    const routed = await new Promise<number>((resolve, reject) =>
      http
        .get(`${fx.baseUrl}/healthz`, { headers: { host: 'cli-demo.example.com' } }, (answer) => {
          answer.resume();
          resolve(answer.statusCode ?? 0);
        })
        .on('error', reject),
    );
    expect(routed).toBe(401);
    await aiplat(['service', 'update', 'cli-demo', '--no-domain']);
    expect((await fx.client('alice').getService({ params: { name: 'cli-demo' } })).domain).toBeUndefined();
  });

  it('scales and rolls out a version with --wait, printing the progress', async () => {
    const scaled = await aiplat(['service', 'update', 'cli-demo', '--replicas', '2', '--wait']);
    expect(scaled.code, scaled.stderr).toBe(0);
    expect(scaled.stderr).toMatch(/cli-demo: 2\/2 replicas ready\n$/);
    const serving = await fx.client('alice').getService({ params: { name: 'cli-demo' } });
    expect(serving.replicas.filter((r) => r.version === serving.version && r.state === 'Ready')).toHaveLength(2);

    await writeFile(
      path.join(fx.dir, 'next-version.yaml'),
      `model: mount/models/tiny-gpt2\ncommand: exec python3 ${MODEL_SERVER}\nresources: { cpu: 0.5, memory: 256Mi }\nreplicas: 1\n`,
    );
    const rolled = await aiplat(['service', 'update', 'cli-demo', '-f', 'next-version.yaml', '--wait']);
    expect(rolled.code, rolled.stderr).toBe(0);
    expect(rolled.stdout).toBe('cli-demo: Updating\n');
    expect(rolled.stderr).toMatch(/cli-demo: Running\n$/);
    const after = await fx.client('alice').getService({ params: { name: 'cli-demo' } });
    expect(after.versions.find((v) => v.serving)?.version).toBe(serving.version + 1);

    const pointless = await aiplat(['service', 'update', 'cli-demo', '--qps', '5', '--wait']);
    expect(pointless.code).toBe(2);
    expect(pointless.stderr).toContain('--wait waits for a rollout (-f) or a replica count (--replicas)');
  }, 60_000);

  it('stops and deletes', async () => {
    expect((await aiplat(['service', 'stop', 'cli-demo'])).stdout).toContain('Stopped');
    expect((await aiplat(['service', 'delete', 'cli-demo'])).stdout).toContain('deleted');
    const gone = await aiplat(['service', 'get', 'cli-demo']);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toContain('no service cli-demo');
    // The follows end with the service, saying so.
    for (const follow of [follows.socket, follows.polled]) {
      const ended = await follow!;
      expect(ended.code).not.toBe(0);
      expect(ended.stderr).toContain('no service cli-demo');
    }
  }, 30_000);
});

describe('aiplat service deploy --dry-run with the Kubernetes engine configured', () => {
  let kube: PlatformFixture;
  beforeAll(async () => {
    // The engine's config is filled in with its defaults; no cluster is needed for a dry run.
    const overrides = { kubernetes: { enabled: true }, devMachines: { startDefault: false } } as PlatformOverrides;
    kube = await startPlatform(overrides);
    await writeFile(path.join(kube.dir, 'service.yaml'), `${serviceYaml('kube-demo')}  image: python:3.11-slim\n`);
  }, 60_000);
  afterAll(() => kube?.close(), 30_000);

  it('prints the objects the engine would make, deploying nothing', async () => {
    const dry = await cliRunner(kube)(['service', 'deploy', '-f', 'service.yaml', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    const objects = JSON.parse(dry.stdout) as { kind: string; metadata: { name: string } }[];
    expect(objects.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'NetworkPolicy', 'Service']);
    expect(objects.find((o) => o.kind === 'Deployment')?.metadata.name).toBe('svc-kube-demo-v1');
    expect((await kube.client().listServices()).services).toEqual([]);
  });
});

describe('service.yaml and version.yaml', () => {
  const head = 'name: x\nversion:\n  model: mount/models/m\n  command: serve\n  resources: { cpu: 1, memory: 1Gi }\n';
  const errorsOf = (result: ReturnType<typeof parseServiceYaml>) => ('errors' in result ? result.errors : []);

  it('reads a service with the defaults filled in', () => {
    const parsed = parseServiceYaml(head);
    expect('spec' in parsed && parsed.spec).toMatchObject({
      auth: ['appkey', 'token'],
      limits: { qpsPerReplica: 100, concurrencyPerReplica: 16 },
      version: { replicas: 1, port: 8080 },
    });
  });

  it('names each bad field with its line', () => {
    expect(errorsOf(parseServiceYaml('name: x\nversion:\n  model: [unclosed\n'))[0]?.message).toMatch(
      /^YAML syntax error at line \d+, column \d+/,
    );
    expect(errorsOf(parseServiceYaml(`${head}  replica: 2\n`))).toEqual([
      { path: 'version.replica', message: expect.stringMatching(/unknown field "replica".*replicas.*\(line 6\)$/) },
    ]);
    expect(errorsOf(parseServiceYaml(`auth: [none, token]\n${head}`))).toEqual([
      { path: 'auth', message: 'auth none cannot be combined with appkey or token (line 1)' },
    ]);
    expect(errorsOf(parseServiceYaml(`${head}  probes:\n    readiness: { type: http, path: healthz }\n`))).toEqual([
      {
        path: 'version.probes.readiness.path',
        message: expect.stringMatching(/^path must start with \/.*\(line 7\)$/),
      },
    ]);
    expect(errorsOf(parseServiceYaml(''))[0]?.message).toContain('the file is empty');
  });

  it('says which requirement names a package index, and that line of the file', () => {
    const block = `${head}  requirements: |\n    numpy\n\n    --index-url http://elsewhere/simple\n`;
    expect(errorsOf(parseServiceYaml(block))).toEqual([
      {
        path: 'version.requirements',
        message:
          "requirements line 3: --index-url is not allowed here; the platform's package index (services.pip) is used (line 9)",
      },
    ]);
    // Not a block: the field's line.
    const quoted = `${head}  requirements: "numpy\\n-f http://elsewhere/"\n`;
    expect(errorsOf(parseServiceYaml(quoted))[0]?.message).toMatch(
      /^requirements line 2: -f is not allowed .* \(line 6\)$/,
    );
    const version = parseServiceVersionYaml(
      'model: mount/models/m\ncommand: c\nresources: { cpu: 1, memory: 1Gi }\nrequirements: |\n  --find-links /tmp\n',
    );
    expect('errors' in version && version.errors[0]?.message).toMatch(
      /^requirements line 1: --find-links .* \(line 5\)$/,
    );
  });
});
