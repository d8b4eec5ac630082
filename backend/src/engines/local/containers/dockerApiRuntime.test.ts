import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  podmanMissing,
  startPodman,
  TEST_BUSYBOX_IMAGE,
  type PodmanHarness,
} from '../../../../../testing/src/images/podman.js';
import { startRegistry, type RegistryServer } from '../../../../../testing/src/images/registryServer.js';
import { ContainerError } from './containerError.js';
import type { ContainerRuntime, ContainerSpec, ExecOptions } from './containerRuntime.js';
import { detectContainerRuntime } from './detectRuntime.js';

/*
 * The dockerode adapter against a real Podman API service (one for this file) and a busybox image
 * made offline: mounts, env, limits, exec with streamed output and stdin, stop, remove, list.
 */

const run = promisify(execFile);
const skip = podmanMissing();
let podman: PodmanHarness;
let runtime: ContainerRuntime;
let dir: string;
let count = 0;

beforeAll(async () => {
  if (skip) return;
  podman = await startPodman();
  const detected = await detectContainerRuntime({
    runtime: 'podman',
    socketPath: podman.socketPath,
    dataDir: '/nonexistent',
  });
  if (!detected.runtime) throw new Error(`no runtime on the harness's socket: ${detected.reason}`);
  runtime = detected.runtime;
  dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-containers-'));
}, 60_000);
afterAll(async () => {
  if (skip) return;
  await podman.close();
  await rm(dir, { recursive: true, force: true });
});

function spec(overrides: Partial<ContainerSpec> = {}): ContainerSpec {
  return {
    name: `aiplat-test-${process.pid}-${++count}`,
    image: TEST_BUSYBOX_IMAGE,
    command: ['sleep', '1000'],
    env: {},
    workingDir: '/',
    mounts: [],
    labels: podman.labels,
    resources: {},
    init: true,
    network: 'none',
    ...overrides,
  };
}

/** Runs argv in the container and gathers what it wrote. */
async function execText(
  id: string,
  argv: string[],
  options: Omit<ExecOptions, 'stdout' | 'stderr'> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const stdout = new PassThrough().on('data', (b: Buffer) => out.push(b));
  const stderr = new PassThrough().on('data', (b: Buffer) => err.push(b));
  const code = await runtime.exec(id, argv, { ...options, stdout, stderr });
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

/** The `cat`s still running in the container, once its init has reaped the killed ones. */
async function catsLeft(id: string): Promise<string> {
  let left = '';
  for (let attempt = 0; attempt < 50; attempt++) {
    const { stdout } = await execText(id, ['sh', '-c', 'for p in /proc/[0-9]*; do cat $p/comm; done']);
    left = stdout
      .split('\n')
      .filter((name) => name === 'cat')
      .join(',');
    if (!left) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return left;
}

describe.skipIf(skip)('DockerApiRuntime on Podman', () => {
  it('runs a container with env, working dir, a read-only and a read-write mount, and a memory limit', async () => {
    const readOnly = path.join(dir, 'ro');
    const readWrite = path.join(dir, 'rw');
    await Promise.all([mkdir(readOnly), mkdir(readWrite)]);
    await writeFile(path.join(readOnly, 'data.txt'), 'from the host');
    const id = await runtime.run(
      spec({
        env: { GREETING: 'hello there' },
        workingDir: '/work/rw',
        mounts: [
          { source: readOnly, target: '/work/ro', readOnly: true },
          { source: readWrite, target: '/work/rw', readOnly: false },
        ],
        resources: { memoryBytes: 64 * 1024 * 1024, cpus: 0.5 },
      }),
    );
    const state = await runtime.inspect(id);
    expect(state).toMatchObject({ status: 'running', running: true, image: TEST_BUSYBOX_IMAGE, labels: podman.labels });
    expect(state.pid).toBeGreaterThan(0);
    expect(state.startedAt).toBeInstanceOf(Date);

    expect(await execText(id, ['sh', '-c', 'echo "$GREETING in $(pwd)"'])).toEqual({
      code: 0,
      stdout: 'hello there in /work/rw\n',
      stderr: '',
    });
    expect((await execText(id, ['cat', '/work/ro/data.txt'])).stdout).toBe('from the host');
    const refused = await execText(id, ['touch', '/work/ro/new.txt']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/read-only file system/i);
    expect((await execText(id, ['sh', '-c', 'echo written > /work/rw/new.txt'])).code).toBe(0);
    expect(await readFile(path.join(readWrite, 'new.txt'), 'utf8')).toBe('written\n');
    // cgroup v2 has memory.max; this host's hybrid (v1) cgroups have memory.limit_in_bytes.
    const limit = await execText(id, [
      'sh',
      '-c',
      'cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes',
    ]);
    expect(limit.stdout.trim()).toBe(String(64 * 1024 * 1024));
  });

  it('passes device nodes in (as a GPU’s would be), and only those', async () => {
    // /dev/net/tun stands for an accelerator's node: a character device a container lacks by default.
    const plain = await runtime.run(spec());
    expect((await execText(plain, ['test', '-c', '/dev/net/tun'])).code).not.toBe(0);
    const withDevice = await runtime.run(spec({ resources: { devices: ['/dev/net/tun'] } }));
    expect((await execText(withDevice, ['test', '-c', '/dev/net/tun'])).code).toBe(0);
  });

  it('streams 20 MB of exec output through a slow consumer, and gives the exit code', async () => {
    const id = await runtime.run(spec());
    let bytes = 0;
    let writes = 0;
    const slow = new Writable({
      highWaterMark: 64 * 1024,
      write(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        writes++;
        setImmediate(done);
      },
    });
    const stderr = new PassThrough();
    const code = await runtime.exec(id, ['sh', '-c', 'head -c 20000000 /dev/zero; exit 7'], { stdout: slow, stderr });
    expect(code).toBe(7);
    expect(bytes).toBe(20_000_000);
    expect(writes).toBeGreaterThan(1);
    expect(await execText(id, ['sh', '-c', 'echo oops >&2; exit 3'])).toEqual({
      code: 3,
      stdout: '',
      stderr: 'oops\n',
    });
  });

  it('kills the command (with its children) when the exec is aborted or its stdout fails', async () => {
    const id = await runtime.run(spec());
    const endless = ['sh', '-c', 'cat /dev/zero | cat'];
    const controller = new AbortController();
    let bytes = 0;
    const cancelling = new Writable({
      write(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        if (bytes > 1_000_000) controller.abort(new Error('the user cancelled'));
        done();
      },
    });
    await expect(
      runtime.exec(id, endless, { stdout: cancelling, stderr: new PassThrough(), signal: controller.signal }),
    ).rejects.toThrow('the user cancelled');
    expect(await catsLeft(id)).toBe('');

    const failing = new Writable({ write: (_chunk, _encoding, done) => done(new Error('the upload failed')) });
    failing.on('error', () => undefined);
    await expect(runtime.exec(id, endless, { stdout: failing, stderr: new PassThrough() })).rejects.toMatchObject({
      code: 'runtime_failed',
      message: expect.stringContaining('the upload failed'),
    });
    expect(await catsLeft(id)).toBe('');
  });

  it('pipes stdin into an exec and closes it at the end, as the user asked', async () => {
    const id = await runtime.run(spec());
    const input = Readable.from([Buffer.from('first line\n'), Buffer.from('second line\n')]);
    const result = await execText(id, ['sh', '-c', 'wc -l; id -u'], { stdin: input, user: '1234' });
    expect(result).toEqual({ code: 0, stdout: '2\n1234\n', stderr: '' });
    const env = await execText(id, ['sh', '-c', 'echo $ONLY_HERE'], { env: { ONLY_HERE: 'in this exec' } });
    expect(env.stdout).toBe('in this exec\n');
  });

  it('stops within the grace (the init passes SIGTERM on) or kills after it, then removes', async () => {
    const polite = await runtime.run(spec());
    await runtime.stop(polite, 30);
    expect(await runtime.inspect(polite)).toMatchObject({ status: 'exited', running: false, exitCode: 143 });
    await runtime.stop(polite, 30);

    const stubborn = await runtime.run(spec({ command: ['sh', '-c', "trap '' TERM; while :; do sleep 1; done"] }));
    await runtime.stop(stubborn, 1);
    const state = await runtime.inspect(stubborn);
    expect(state).toMatchObject({ status: 'exited', exitCode: 137 });
    expect(state.finishedAt).toBeInstanceOf(Date);
    expect(state.pid).toBeUndefined();

    await runtime.remove(polite, { force: false });
    await runtime.remove(polite, { force: false });
    await expect(runtime.inspect(polite)).rejects.toMatchObject({ code: 'container_not_found' });
    await runtime.remove(stubborn, { force: true });
  });

  it('lists containers by label, running or not, to adopt or clean them up after a restart', async () => {
    const group = { 'aiplat-list-test': String(process.pid) };
    const running = await runtime.run(spec({ labels: { ...podman.labels, ...group } }));
    const stopped = await runtime.run(spec({ labels: { ...podman.labels, ...group } }));
    await runtime.stop(stopped, 10);
    const listed = await runtime.list({ label: `aiplat-list-test=${process.pid}` });
    expect(listed.map((c) => [c.id, c.status]).sort()).toEqual(
      [
        [running, 'running'],
        [stopped, 'exited'],
      ].sort(),
    );
    expect(listed[0]?.labels).toMatchObject(group);
    expect(await runtime.list({ label: 'aiplat-list-test=nobody' })).toEqual([]);
  });

  it("gives a container's output, demultiplexed", async () => {
    const id = await runtime.run(spec({ command: ['sh', '-c', 'echo to out; echo to err >&2'] }));
    const logs: string[] = [];
    // Following ends when the container does.
    for await (const chunk of await runtime.logs(id, { follow: true }))
      logs.push(`${chunk.stream}: ${chunk.data.toString()}`);
    expect(logs.join('')).toContain('stdout: to out\n');
    expect(logs.join('')).toContain('stderr: to err\n');
    const again: string[] = [];
    for await (const chunk of await runtime.logs(id, { follow: false })) again.push(chunk.data.toString());
    expect(again.sort()).toEqual(['to err\n', 'to out\n']);
  });

  it('stops following the logs of a running container when the reader stops', async () => {
    const id = await runtime.run(spec({ command: ['sh', '-c', 'echo started; exec sleep 1000'] }));
    const logs = await runtime.logs(id, { follow: true });
    const seen: string[] = [];
    for await (const chunk of logs) {
      seen.push(chunk.data.toString());
      break;
    }
    expect(seen).toEqual(['started\n']);
    const again = await runtime.logs(id, { follow: true });
    const first = await again[Symbol.asyncIterator]().next();
    expect(first.value).toMatchObject({ stream: 'stdout' });
    again.destroy();
    expect((await runtime.inspect(id)).running).toBe(true);
  });

  it('says which name is taken, which image is missing, and which container is gone', async () => {
    const taken = spec();
    await runtime.run(taken);
    await expect(runtime.run({ ...taken })).rejects.toMatchObject({
      code: 'name_conflict',
      message: expect.stringContaining(taken.name),
    });
    await expect(runtime.run(spec({ image: 'localhost/aiplat-no-such-image:1' }))).rejects.toMatchObject({
      code: 'image_not_found',
    });
    await expect(
      runtime.exec('aiplat-no-such-container', ['true'], { stdout: new PassThrough(), stderr: new PassThrough() }),
    ).rejects.toMatchObject({
      code: 'container_not_found',
    });
    await expect(runtime.stop('aiplat-no-such-container', 1)).rejects.toBeInstanceOf(ContainerError);
  });

  it('finds an image already here, and says when a registry does not answer', async () => {
    await runtime.ensureImage(TEST_BUSYBOX_IMAGE);
    const error = await runtime.ensureImage('127.0.0.1:1/aiplat-no-such-image:1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContainerError);
    expect(error).toMatchObject({ code: 'registry_unreachable' });
    expect((error as Error).message).toContain('127.0.0.1:1/aiplat-no-such-image:1');
  });
});

describe.skipIf(skip)('DockerApiRuntime pulling from a registry with basic auth', () => {
  const users = { puller: 'pull-secret' };
  let registry: RegistryServer;
  let ref: string;
  const pulled: string[] = [];
  beforeAll(async () => {
    registry = await startRegistry({ users });
    ref = `${registry.host}/aiplat-test/busybox:1`;
    await run('skopeo', [
      'copy',
      '--dest-tls-verify=false',
      '--dest-creds=puller:pull-secret',
      `containers-storage:${TEST_BUSYBOX_IMAGE}`,
      `docker://${ref}`,
    ]);
  }, 60_000);
  afterAll(async () => {
    for (const image of pulled) await run('podman', ['rmi', '--force', image]).catch(() => undefined);
    await registry.stop();
  });
  const auth = (password: string) => ({ username: 'puller', password, serveraddress: registry.host });

  it('pulls with the credentials and reports progress', async () => {
    const progress: string[] = [];
    pulled.push(ref);
    await runtime.ensureImage(ref, {
      auth: auth('pull-secret'),
      tlsVerify: false,
      onProgress: (p) => progress.push(p.status),
    });
    expect(progress.join('\n')).toMatch(/Copying blob/);
    const id = await runtime.run(spec({ image: ref }));
    expect((await execText(id, ['echo', 'pulled'])).stdout).toBe('pulled\n');
  });

  it('says an image is not in the registry, and that the credentials were refused', async () => {
    await expect(
      runtime.ensureImage(`${registry.host}/aiplat-test/nothing:1`, { auth: auth('pull-secret'), tlsVerify: false }),
    ).rejects.toMatchObject({ code: 'image_not_found', message: expect.stringContaining('aiplat-test/nothing:1') });
    await expect(
      runtime.ensureImage(`${registry.host}/aiplat-test/busybox:2`, { auth: auth('wrong'), tlsVerify: false }),
    ).rejects.toMatchObject({ code: 'registry_auth_failed' });
  });
});
