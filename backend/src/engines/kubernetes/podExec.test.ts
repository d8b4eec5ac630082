import { createHash } from 'node:crypto';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeApiServer } from '../../../../testing/src/kubernetes/fakeApiServer/fakeApiServer.js';
import { execInPod } from './podExec.js';

/*
 * execInPod against the fake API server, through the real client-node Exec and a real WebSocket
 * with the channel protocol. Fake: there is no container; the fake runs the command as a child
 * process on this machine (testing/src/kubernetes/fakeApiServer/podExec.ts). Real: the upgrade, its
 * refusals, the framing, back-pressure across the socket, the Status with the exit code.
 */

const NS = 'team';
const POD = 'box-0';
const TARGET = { namespace: NS, pod: POD, container: 'ide' };
const MIB = 1024 * 1024;
let fake: FakeApiServer;

beforeAll(async () => {
  fake = await FakeApiServer.start({ namespaces: ['default', NS] });
  fake.apply({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: POD, namespace: NS },
    spec: { containers: [{ name: 'ide', image: 'devmachine:1' }] },
    status: { phase: 'Running', containerStatuses: [{ name: 'ide', state: { running: {} } }] },
  });
});
afterAll(() => fake?.close());

function collector(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** `count` 64 KiB blocks, block i filled with the byte i % 256: the bytes the writer below makes. */
function expectedDigest(count: number): string {
  const hash = createHash('sha256');
  for (let i = 0; i < count; i++) hash.update(Buffer.alloc(64 * 1024, i % 256));
  return hash.digest('hex');
}
const blockWriter = (count: number) =>
  `const n=${count};let i=0;const w=()=>{while(i<n){const b=Buffer.alloc(65536,i%256);i++;` +
  `if(!process.stdout.write(b))return process.stdout.once('drain',w);}};w();`;

/** How a writer ends once its pipe is closed: SIGPIPE, or a write error (EPIPE) and a failure code. */
const brokenPipe = ({ code, signal }: { code: number | null; signal: NodeJS.Signals | null }) =>
  signal === 'SIGPIPE' || (code !== null && code !== 0);

describe('execInPod', () => {
  it('passes stdout and stderr on and resolves with the exit code from the Status', async () => {
    const out = collector();
    const err = collector();
    const code = await execInPod(fake.kubeConfig(), TARGET, ['sh', '-c', 'echo out; echo err >&2; exit 3'], {
      stdout: out.stream,
      stderr: err.stream,
    });
    expect(code).toBe(3);
    expect(out.text()).toBe('out\n');
    expect(err.text()).toBe('err\n');
    // Exec leaves the caller's streams open: the caller ends them.
    expect(out.stream.writableEnded).toBe(false);
    expect(fake.execs.at(-1)).toMatchObject({ container: 'ide', command: ['sh', '-c', expect.any(String)] });
    expect(fake.execs.at(-1)?.protocol).toBe('v5.channel.k8s.io');

    const ok = await execInPod(fake.kubeConfig(), TARGET, ['true'], { stdout: out.stream, stderr: err.stream });
    expect(ok).toBe(0);
  });

  it('rejects with the API server’s words, naming the pod, when the exec is refused or cannot start', async () => {
    const io = () => ({
      stdout: new PassThrough(),
      stderr: new PassThrough(),
      subject: "the dev machine's pod team/x",
    });
    await expect(execInPod(fake.kubeConfig(), { ...TARGET, pod: 'nope-0' }, ['true'], io())).rejects.toThrow(
      /^the dev machine's pod team\/x: could not run true: pods "nope-0" not found$/,
    );
    await expect(execInPod(fake.kubeConfig(), { ...TARGET, container: 'other' }, ['true'], io())).rejects.toThrow(
      'container other is not valid for pod box-0',
    );
    await expect(execInPod(fake.kubeConfig(), TARGET, ['/no/such/aiplat-snapshot', 'layer'], io())).rejects.toThrow(
      /^the dev machine's pod team\/x: failed to exec in container: .*ENOENT/,
    );
  });

  it('streams 20 MiB through a slow reader without holding more than a little of it', async () => {
    const blocks = 320;
    const hash = createHash('sha256');
    let received = 0;
    let maxBuffered = 0;
    let waits = 0;
    const slow = new Writable({
      highWaterMark: 64 * 1024,
      write(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        received += chunk.length;
        // Slower than the socket: every chunk waits a timer turn.
        setTimeout(done, 1);
      },
    });
    const write = slow.write.bind(slow);
    slow.write = ((chunk: Buffer) => {
      const more = write(chunk);
      maxBuffered = Math.max(maxBuffered, slow.writableLength);
      if (!more) waits++;
      return more;
    }) as typeof slow.write;
    const code = await execInPod(fake.kubeConfig(), TARGET, [process.execPath, '-e', blockWriter(blocks)], {
      stdout: slow,
      stderr: new PassThrough(),
    });
    slow.end();
    await new Promise((resolve) => slow.on('finish', resolve));
    expect(code).toBe(0);
    expect(received).toBe(blocks * 64 * 1024);
    expect(hash.digest('hex')).toBe(expectedDigest(blocks));
    expect(waits).toBeGreaterThan(0);
    // What waits in the reader is a frame or two (what the socket had read when it was paused),
    // never the stream: about 100 KiB here; with the pause taken out, 19 MiB of the 20.
    expect(maxBuffered).toBeLessThan(MIB);
  }, 60_000);

  it('closes the connection when aborted mid-stream, and the command in the pod ends', async () => {
    const controller = new AbortController();
    let received = 0;
    const stdout = new Writable({
      write(chunk: Buffer, _encoding, done) {
        received += chunk.length;
        if (received >= MIB) controller.abort();
        done();
      },
    });
    const run = execInPod(fake.kubeConfig(), TARGET, ['cat', '/dev/zero'], {
      stdout,
      stderr: new PassThrough(),
      signal: controller.signal,
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    const record = fake.execs.at(-1)!;
    expect(record.command).toEqual(['cat', '/dev/zero']);
    // Its pipes closed with the connection: cat ends at its next write.
    expect(brokenPipe(await record.exited)).toBe(true);

    const execs = fake.execs.length;
    await expect(
      execInPod(fake.kubeConfig(), TARGET, ['true'], {
        stdout: new PassThrough(),
        stderr: new PassThrough(),
        signal: AbortSignal.abort(),
      }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    // Aborted while connecting (the credentials are read before the socket is made): no command starts.
    const connecting = new AbortController();
    const aborted = execInPod(fake.kubeConfig(), TARGET, ['true'], {
      stdout: new PassThrough(),
      stderr: new PassThrough(),
      signal: connecting.signal,
    });
    connecting.abort();
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
    expect(fake.execs.length).toBe(execs);
  });

  it('rejects when the stream it writes into is destroyed before the command ends', async () => {
    const stdout = new PassThrough();
    stdout.once('data', () => stdout.destroy());
    await expect(
      execInPod(fake.kubeConfig(), TARGET, ['cat', '/dev/zero'], { stdout, stderr: new PassThrough() }),
    ).rejects.toThrow("pod team/box-0: the command's stdout was closed before the command ended");
    expect(brokenPipe(await fake.execs.at(-1)!.exited)).toBe(true);
  });

  it('rejects when the connection breaks before the Status, rather than report an exit code', async () => {
    const stdout = new PassThrough();
    stdout.once('data', () => expect(fake.breakExecStreams()).toBe(1));
    stdout.resume();
    await expect(
      execInPod(fake.kubeConfig(), TARGET, ['cat', '/dev/zero'], { stdout, stderr: new PassThrough() }),
    ).rejects.toThrow('pod team/box-0: the exec connection closed before the command ended (code 1006)');
    expect(brokenPipe(await fake.execs.at(-1)!.exited)).toBe(true);
  });
});
