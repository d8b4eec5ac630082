import { execFileSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, readdir, stat, truncate, writeFile, copyFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocketFactory } from '@aiplat/api';
import { cliRunner, outputSink } from '../../../testing/src/backend/cliRunner.js';
import { cpuSpec, homeFolder, PYTHON, waitForJob } from '../../../testing/src/backend/jobs.js';
import {
  startPlatform,
  TOKENS,
  type PlatformFixture,
  type PlatformOverrides,
} from '../../../testing/src/backend/platformFixture.js';
import { runCli } from './program.js';

/*
 * `aiplat dataset …` and `aiplat model …` in-process against a real platform with two users:
 * create, import (a folder, an upload), the record check, publish, versions, shares between
 * alice and bob, accelerate, export into /work and as a resumable tar archive, tasks, deletes.
 */

let fx: PlatformFixture;
let alice: ReturnType<typeof cliRunner>;
let bob: ReturnType<typeof cliRunner>;

/** A WebSocket that cannot be opened: a follow has to poll. */
const noSockets: WebSocketFactory = () => {
  throw new Error('no WebSocket here');
};

/** Serves `/good.jsonl` at once and `/slow.bin` a trickle at a time (never finishing), for link imports. */
let files: http.Server;
let filesUrl: string;

beforeAll(async () => {
  files = http.createServer((req, res) => {
    if (req.url === '/good.jsonl') {
      res.end('{"instruction":"q","input":"","output":"a"}\n');
      return;
    }
    res.writeHead(200, { 'content-length': String(10 * 1024 * 1024) });
    res.write(Buffer.alloc(1024));
  });
  await new Promise<void>((resolve) => files.listen(0, resolve));
  filesUrl = `http://localhost:${(files.address() as AddressInfo).port}`;
  // Links to this machine are refused unless allowed: localhost by name here (127.0.0.1 stays refused).
  fx = await startPlatform({
    seedExamples: false,
    catalog: { download: { allowHosts: ['localhost'] } } as unknown as PlatformOverrides['catalog'],
  });
  alice = cliRunner(fx, 'alice');
  bob = cliRunner(fx, 'bob');
  await homeFolder(fx.workRoot, 'alice', 'raw', {
    'train.jsonl': '{"instruction":"a","input":"","output":"b"}\n{"instruction":"c"}\n',
    'eval.jsonl': '{"instruction":"d","input":"","output":"e"}\n',
  });
  const src = path.join(fx.dir, 'upload-src');
  await mkdir(path.join(src, 'more'), { recursive: true });
  await writeFile(path.join(src, 'more', 'extra.jsonl'), '{"instruction":"x","input":"","output":"y"}\n');
  execFileSync('tar', ['-czf', path.join(fx.dir, 'more.tar.gz'), '-C', src, 'more']);
}, 60_000);
afterAll(async () => {
  files?.closeAllConnections();
  files?.close();
  await fx?.close();
}, 30_000);

describe('aiplat dataset', () => {
  it('creates a dataset, imports a folder with its records checked, publishes and lists versions', async () => {
    const created = await alice([
      'dataset',
      'create',
      'alpaca',
      '--data-type',
      'text',
      '--annotation-type',
      'instruction',
      '--description',
      'instructions',
    ]);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(created.stdout).toMatch(/^alpaca \(as-[a-f0-9]{12}\): created\n$/);
    const badType = await alice(['dataset', 'create', 'x', '--data-type', 'video']);
    expect(badType.code).toBe(2);
    // A model has no data type: the option is not there.
    expect((await alice(['model', 'create', 'm', '--data-type', 'text'])).code).toBe(2);

    const imported = await alice(['dataset', 'import', 'alpaca', '--folder', 'home/raw']);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toMatch(/at-[a-f0-9]{12}: importing into alpaca/);
    expect(imported.stdout).toContain('record check (instruction): 3 record(s) in 2 file(s), 1 bad');
    expect(imported.stdout).toMatch(/ {2}train\.jsonl:2: .+/);
    expect(imported.stdout).toMatch(/at-[a-f0-9]{12}: succeeded/);
    expect((await readdir(path.join(fx.workRoot, 'home/alice/datasets/alpaca'))).sort()).toEqual([
      'eval.jsonl',
      'train.jsonl',
    ]);

    const published = await alice(['dataset', 'publish', 'alpaca', '--description', 'first']);
    expect(published).toMatchObject({ code: 0 });
    expect(published.stdout).toMatch(/^alpaca@v1: published, 2 file\(s\), \d+ B\n$/);

    const versions = await alice(['dataset', 'versions', 'alpaca']);
    expect(versions.stdout).toMatch(/^VERSION\s+STATE\s+FILES\s+SIZE\s+ACCELERATED\s+AGE\s+PATH\s+DESCRIPTION\n/);
    expect(versions.stdout).toMatch(/v1\s+ready\s+2\s+\d+ B\s+-\s+\S+\s+home\/\.catalog\/datasets\/alpaca\/v1\s+first/);

    const listed = await alice(['dataset', 'list']);
    expect(listed.stdout).toMatch(/alpaca\s+as-[a-f0-9]{12}\s+alice\s+1\s+v1\s+text\/instruction\s+\S+\s+instructions/);
    const json = JSON.parse((await alice(['dataset', 'get', 'alpaca', '-o', 'json'])).stdout) as { name: string };
    expect(json.name).toBe('alpaca');
    const shown = await alice(['dataset', 'get', 'alpaca']);
    expect(shown.stdout).toContain('Working folder:');
    expect(shown.stdout).toContain('home/datasets/alpaca');
  });

  it('uploads a local archive (streamed, with progress), extracted into a folder, and publishes v2', async () => {
    const uploaded = await alice(['dataset', 'import', 'alpaca', '--file', 'more.tar.gz', '--into', 'extra']);
    expect(uploaded.code, uploaded.stderr).toBe(0);
    expect(uploaded.stderr).toMatch(/uploading more\.tar\.gz: \d+ B of \d+ B \(100%\)/);
    expect(uploaded.stdout).toContain('record check (instruction): 1 record(s) in 1 file(s), 0 bad');
    await stat(path.join(fx.workRoot, 'home/alice/datasets/alpaca/extra/more/extra.jsonl'));
    expect((await alice(['dataset', 'publish', 'alpaca'])).stdout).toMatch(/^alpaca@v2: published, 3 file\(s\)/);

    // Followed by polling when there is no WebSocket, and detached.
    const stdout = outputSink();
    const stderr = outputSink();
    const polled = await runCli(['dataset', 'import', 'alpaca', '--folder', 'home/raw'], {
      stdout,
      stderr,
      env: { AIPLAT_SERVER: fx.baseUrl, AIPLAT_TOKEN: TOKENS.alice },
      cwd: fx.dir,
      pollIntervalMs: 50,
      createWebSocket: noSockets,
    });
    expect([polled, stdout.text]).toEqual([0, expect.stringMatching(/succeeded/)]);
    const detached = await alice(['dataset', 'import', 'alpaca', '--folder', 'home/raw', '--detach']);
    expect(detached.stdout).toMatch(/^at-[a-f0-9]{12}\n$/);
    const taskId = detached.stdout.trim();
    await expect
      .poll(async () => (await fx.client().getAssetTask({ params: { taskId } })).state, { timeout: 20_000 })
      .toBe('succeeded');
    const tasks = await alice(['dataset', 'tasks', 'alpaca']);
    expect(tasks.stdout).toMatch(/^TASK\s+ACTION\s+ASSET\s+STATE\s+PROGRESS\s+AGE\s+MESSAGE\n/);
    expect(tasks.stdout.split('\n').filter((line) => line.includes(' import ')).length).toBeGreaterThanOrEqual(3);
  });

  it('says what is wrong: no source, two sources, a missing file, an unknown dataset, a failed import', async () => {
    const none = await alice(['dataset', 'import', 'alpaca']);
    expect([none.code, none.stderr]).toEqual([2, expect.stringContaining('say where to import from')]);
    const two = await alice(['dataset', 'import', 'alpaca', '--folder', 'home/raw', '--url', 'https://example.com/a']);
    expect(two.code).toBe(2);
    const missing = await alice(['dataset', 'import', 'alpaca', '--file', 'nope.tar']);
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining('cannot read nope.tar: no such file')]);
    const unknown = await alice(['dataset', 'get', 'nowhere']);
    expect([unknown.code, unknown.stderr]).toEqual([1, expect.stringContaining('no dataset nowhere of yours')]);
    // A link into loopback is refused by the server's download policy: the task fails, exit 1.
    const failed = await alice(['dataset', 'import', 'alpaca', '--url', `${fx.baseUrl}/healthz`]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/at-[a-f0-9]{12}: failed: .*(127\.0\.0\.1|loopback)/);
    const noVersion = await alice(['dataset', 'delete-version', 'alpaca']);
    expect([noVersion.code, noVersion.stderr]).toEqual([2, expect.stringContaining('names no version')]);
  });

  it('shares a version with bob, who adds it; revoking takes it away and the token is gone', async () => {
    const shared = await alice(['dataset', 'share', 'alpaca@v1', '--expires-in-hours', '24']);
    expect(shared.code, shared.stderr).toBe(0);
    const token = shared.stdout.trim();
    expect(token.length).toBeGreaterThan(10);
    expect(shared.stderr).toMatch(/This is the only time the token is shown/);

    const added = await bob(['dataset', 'add-shared', token, '--name', 'alpaca-from-alice']);
    expect(added).toMatchObject({ code: 0, stdout: 'alpaca-from-alice: added, shared by alice, 1 version(s)\n' });
    expect((await bob(['dataset', 'list'])).stdout).toMatch(/alpaca-from-alice \(alice\)\s+as-/);
    expect((await bob(['dataset', 'versions', 'alpaca-from-alice'])).stdout).toMatch(/v1\s+ready/);
    // Read-only for bob.
    expect((await bob(['dataset', 'publish', 'alpaca-from-alice'])).code).toBe(1);

    const shares = await alice(['dataset', 'shares', 'alpaca']);
    expect(shares.stdout).toMatch(/^ID\s+VERSION\s+STATE\s+EXPIRES\s+AGE\s+ADDED BY\n/);
    const shareId = /^(\S+)\s+v1\s+active\s+\S+\s+\S+\s+bob$/m.exec(shares.stdout)?.[1];
    expect(shareId, shares.stdout).toBeDefined();
    expect(await alice(['dataset', 'revoke', 'alpaca', shareId!])).toMatchObject({
      code: 0,
      stdout: `${shareId}: revoked\n`,
    });
    expect((await bob(['dataset', 'list'])).stdout).toBe('No datasets yet: aiplat dataset create <name>\n');
    const gone = await bob(['dataset', 'add-shared', token]);
    expect([gone.code, gone.stderr]).toEqual([1, expect.stringContaining('revoked this share token')]);
  });

  it('accelerates and evicts a version, exports it into /work and as a tar that resumes', async () => {
    const accelerated = await alice(['dataset', 'accelerate', 'alpaca@v2']);
    expect(accelerated.code, accelerated.stderr).toBe(0);
    expect((await alice(['dataset', 'versions', 'alpaca'])).stdout).toMatch(/v2\s+ready\s+3\s+\d+ B\s+ready/);
    expect(await alice(['dataset', 'evict', 'alpaca@v2'])).toMatchObject({ code: 0, stdout: 'alpaca@v2: evicted\n' });

    const exported = await alice(['dataset', 'export', 'alpaca@v1', '--to', 'home/exported']);
    expect(exported.code, exported.stderr).toBe(0);
    expect((await readdir(path.join(fx.workRoot, 'home/alice/exported'))).sort()).toEqual([
      'eval.jsonl',
      'train.jsonl',
    ]);
    const both = await alice(['dataset', 'export', 'alpaca@v1', '--to', 'home/x', '--archive', 'x.tar']);
    expect([both.code, both.stderr]).toEqual([2, expect.stringContaining('say where to')]);

    const archive = await alice(['dataset', 'export', 'alpaca@v2', '--archive', 'alpaca-v2.tar']);
    expect(archive.code, archive.stderr).toBe(0);
    expect(archive.stdout).toMatch(/^alpaca-v2\.tar: \d+(\.\d)? (B|KiB)\n$/);
    const tarFile = path.join(fx.dir, 'alpaca-v2.tar');
    const names = execFileSync('tar', ['-tf', tarFile], { encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(names).toEqual(
      expect.arrayContaining(['alpaca-v2/train.jsonl', 'alpaca-v2/eval.jsonl', 'alpaca-v2/extra/more/extra.jsonl']),
    );

    // A broken download left a .part: the next one resumes it with Range, and the result is the same.
    const part = path.join(fx.dir, 'again.tar.part');
    await copyFile(tarFile, part);
    await truncate(part, 1000);
    const resumed = await alice(['dataset', 'export', 'alpaca@v2', '--archive', 'again.tar']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('resuming again.tar from 1000 B');
    expect(execFileSync('cmp', [tarFile, path.join(fx.dir, 'again.tar')]).length).toBe(0);
    await expect(stat(part)).rejects.toThrow();
  });

  it('deletes a version, and the dataset only with --yes', async () => {
    expect(await alice(['dataset', 'delete-version', 'alpaca@v1'])).toMatchObject({
      code: 0,
      stdout: 'alpaca@v1: deleted\n',
    });
    expect((await alice(['dataset', 'versions', 'alpaca'])).stdout).not.toMatch(/^v1\s/m);
    const asked = await alice(['dataset', 'delete', 'alpaca']);
    expect([asked.code, asked.stderr]).toEqual([2, expect.stringContaining('run again with --yes')]);
    expect(await alice(['dataset', 'delete', 'alpaca', '--yes'])).toMatchObject({
      code: 0,
      stdout: 'alpaca: deleted\n',
    });
    expect((await alice(['dataset', 'list'])).stdout).toBe('No datasets yet: aiplat dataset create <name>\n');
  });
});

describe('aiplat model', () => {
  it('imports a folder as v1, shares it; bob imports it by token as his own version', async () => {
    await homeFolder(fx.workRoot, 'alice', 'tiny-model', {
      'config.json': '{"architectures":["LlamaForCausalLM"],"model_type":"llama"}',
      'weights.bin': 'x'.repeat(2048),
    });
    expect((await alice(['model', 'create', 'tiny', '--description', 'a tiny one'])).code).toBe(0);
    const imported = await alice(['model', 'import', 'tiny', '--folder', 'home/tiny-model', '--description', 'v1']);
    expect(imported.code, imported.stderr).toBe(0);
    expect((await alice(['model', 'versions', 'tiny'])).stdout).toMatch(/v1\s+ready\s+2\s+/);
    // Datasets are published; models are not.
    expect((await alice(['model', 'publish', 'tiny'])).code).toBe(2);

    const token = (await alice(['model', 'share', 'tiny@v1'])).stdout.trim();
    expect((await bob(['model', 'create', 'from-alice'])).code).toBe(0);
    const byToken = await bob(['model', 'import', 'from-alice', '--share-token', token]);
    expect(byToken.code, byToken.stderr).toBe(0);
    expect((await bob(['model', 'versions', 'from-alice'])).stdout).toMatch(/v1\s+ready\s+2\s+/);
    // A dataset is not imported from a token.
    const wrong = await alice(['dataset', 'import', 'whatever', '--share-token', token]);
    expect([wrong.code, wrong.stderr]).toEqual([2, expect.stringContaining('aiplat dataset add-shared')]);
  });

  it("imports a finished job's output folder as the next version", async () => {
    const workingDir = await homeFolder(fx.workRoot, 'alice', 'train-run', {
      'train.py': [
        'import os',
        'os.makedirs("output", exist_ok=True)',
        'open("output/config.json", "w").write(\'{"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2"}\')',
        'open("output/weights.bin", "wb").write(b"\\0" * 4096)',
      ].join('\n'),
    });
    const job = await fx.client().createJob({ body: { spec: cpuSpec({ command: `${PYTHON} train.py`, workingDir }) } });
    expect((await waitForJob(fx.client(), job.id)).state).toBe('Succeeded');
    const imported = await alice(['model', 'import', 'tiny', '--job', job.id, '--sub-path', 'output']);
    expect(imported.code, imported.stderr).toBe(0);
    const versions = JSON.parse((await alice(['model', 'versions', 'tiny', '-o', 'json'])).stdout) as {
      version: string;
      source: { type: string; jobId?: string };
      summary?: { architecture?: string };
    }[];
    expect(versions.at(-1)).toMatchObject({
      version: 'v2',
      source: { type: 'job', jobId: job.id },
      summary: { architecture: 'GPT2LMHeadModel' },
    });
  }, 60_000);

  it('speaks Chinese when the locale is zh_CN', async () => {
    const zh = cliRunner(fx, 'alice', { LANG: 'zh_CN.UTF-8' });
    const listed = await zh(['model', 'list']);
    expect(listed.stdout).toMatch(/^名称\s+ID\s+所有者\s+版本数/);
    const help = await zh(['model', 'import', '--help']);
    expect(help.stdout).toContain('要上传的本地文件或压缩包');
  });
});

describe('aiplat dataset import --url, tasks and cancel', () => {
  it('imports a file from a link, and cancels an import that is still downloading', async () => {
    expect((await alice(['dataset', 'create', 'linked', '--annotation-type', 'instruction'])).code).toBe(0);
    const fetched = await alice(['dataset', 'import', 'linked', '--url', `${filesUrl}/good.jsonl`]);
    expect(fetched.code, fetched.stderr).toBe(0);
    expect(fetched.stdout).toContain('record check (instruction): 1 record(s) in 1 file(s), 0 bad');
    expect(await readdir(path.join(fx.workRoot, 'home/alice/datasets/linked'))).toEqual(['good.jsonl']);

    const detached = await alice(['dataset', 'import', 'linked', '--url', `${filesUrl}/slow.bin`, '--detach']);
    const taskId = detached.stdout.trim();
    await expect
      .poll(async () => (await fx.client().getAssetTask({ params: { taskId } })).bytesDone, { timeout: 20_000 })
      .toBeGreaterThan(0);
    expect((await alice(['dataset', 'tasks', 'linked'])).stdout).toMatch(
      new RegExp(`${taskId}\\s+import\\s+linked\\s+running \\(downloading\\)\\s+1\\.0 KiB of 10\\.0 MiB \\(0%\\)`),
    );
    const cancelled = await alice(['dataset', 'cancel', taskId]);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stdout).toMatch(new RegExp(`^${taskId}: (running|cancelled)\\n$`));
    await expect
      .poll(async () => (await fx.client().getAssetTask({ params: { taskId } })).state, { timeout: 20_000 })
      .toBe('cancelled');
    expect(await readdir(path.join(fx.workRoot, 'home/alice/datasets/linked'))).toEqual(['good.jsonl']);
  }, 60_000);
});
