/**
 * Save-as-image benchmark (`npm run bench:image-save`, also in `npm run bench`): a container from
 * the local dev machine image (images/devmachine-local/build.sh --minimal, pushed to Debian's
 * docker-registry on loopback) gets 100 MB of changes (half random bytes, half text, new bytes
 * before each pair of measures), then, in the same run and alternating:
 *   (a) the platform's save: the snapshot agent's layer through the runtime's exec, streamed to the
 *       registry as one new layer on the base (appendLayer: base layers mounted, config, manifest);
 *   (b) reference: `podman commit` of the same container, then `podman push` of the result.
 * Target: median (a) / median (b) ≤ 1.2. Needs root, Podman, docker-registry and mmdebstrap
 * (scripts/ensure-system-deps.sh, scripts/configure-podman.sh) and a build (`npm run build`).
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { detectContainerRuntime } from '@aiplat/backend/engines/local/containers/detectRuntime.js';
import { appendLayer } from '@aiplat/backend/images/registry/appendLayer.js';
import { RegistryClient } from '@aiplat/backend/images/registry/registryClient.js';
import { median } from './stats.js';

const run = promisify(execFile);
const RUNS = Number(process.env.BENCH_IMAGE_SAVE_RUNS ?? 3);
const CHANGE_MB = 100;
const TARGET_RATIO = 1.2;
const BUILD = fileURLToPath(new URL('../../images/devmachine-local/build.sh', import.meta.url));
const AGENT = '/opt/aiplat/bin/aiplat-snapshot';
const BASELINE = '/var/lib/aiplat/snapshot-baseline.ndjson.gz';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function startRegistry(dir: string): Promise<{ host: string; stop(): void }> {
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const config = path.join(dir, 'registry.yml');
  await writeFile(
    config,
    `version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${path.join(dir, 'registry')}\nhttp:\n  addr: ${host}\n`,
  );
  const child = spawn('docker-registry', ['serve', config], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const up = await fetch(`http://${host}/v2/`).then(
      (response) => response.ok,
      () => false,
    );
    if (up) return { host, stop: () => child.kill() };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill();
  throw new Error('docker-registry did not answer');
}

const sink = () =>
  new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-bench-image-save-'));
  const registry = await startRegistry(dir);
  const detected = await detectContainerRuntime({ runtime: 'podman', dataDir: dir });
  const runtime = detected.runtime;
  if (!runtime) throw new Error(`no container runtime: ${detected.reason ?? ''}`);
  const base = `${registry.host}/bench/base:1`;
  const name = `aiplat-bench-save-${process.pid}`;
  try {
    process.stdout.write('building the minimal dev machine image (mmdebstrap) ... ');
    let started = performance.now();
    await run('bash', [BUILD, `--tag=${base}`, '--minimal', '--push', '--tls-verify=false'], { maxBuffer: 64 << 20 });
    console.log(`${((performance.now() - started) / 1000).toFixed(0)} s`);
    const id = await runtime.run({
      name,
      image: base,
      command: ['sleep', 'infinity'],
      env: {},
      workingDir: '/',
      mounts: [],
      labels: { 'aiplat-bench': 'image-save' },
      resources: {},
      init: true,
      network: 'none',
    });
    const exec = (argv: string[], stdout: Writable = sink(), stderr: Writable = sink()) =>
      runtime.exec(id, argv, { user: '0', stdout, stderr });
    if ((await exec([AGENT, 'baseline', '--baseline', BASELINE])) !== 0) throw new Error('the baseline failed');
    const half = CHANGE_MB / 2;
    const changes = [
      'mkdir -p /opt/data',
      `for i in $(seq 1 ${half}); do head -c 1048576 /dev/urandom > /opt/data/random-$i.bin; done`,
      `for i in $(seq 1 ${half}); do head -c 786432 /dev/urandom | base64 -w 120 > /opt/data/text-$i.txt; done`,
    ].join(' && ');
    // Fresh bytes before each pair of saves: neither side can reuse a layer it pushed before.
    const change = async () => {
      if ((await exec(['sh', '-c', changes])) !== 0) throw new Error('writing the changes failed');
    };
    const client = new RegistryClient({ url: `http://${registry.host}` });

    const save = async (index: number) => {
      const layer = new PassThrough({ highWaterMark: 1 << 20 });
      let done: (value: { digest: string; diffId: string; size: number }) => void = () => {};
      const description = new Promise<{ digest: string; diffId: string; size: number }>((resolve) => (done = resolve));
      let stderr = '';
      const errors = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          stderr += chunk.toString();
          for (const line of stderr.split('\n')) {
            if (line.startsWith('{"done"'))
              done((JSON.parse(line) as { done: { digest: string; diffId: string; size: number } }).done);
          }
          callback();
        },
      });
      const start = performance.now();
      const agent = exec([AGENT, 'layer', '--baseline', BASELINE], layer, errors).then((code) => {
        if (code !== 0) throw new Error(`the agent failed: ${stderr}`);
        layer.end();
      });
      const result = await appendLayer(client, {
        baseImage: base,
        targetImage: `bench/saved-${index}:1`,
        layer,
        layerDescription: description,
        history: { created: new Date().toISOString(), created_by: 'bench' },
      });
      await agent;
      return { ms: performance.now() - start, size: result.layer.size };
    };
    const commitAndPush = async (index: number) => {
      const target = `${registry.host}/bench/committed-${index}:1`;
      const start = performance.now();
      await run('podman', ['commit', '--quiet', name, target]);
      await run('podman', ['push', '--quiet', '--tls-verify=false', target]);
      const ms = performance.now() - start;
      await run('podman', ['rmi', target]).catch(() => undefined);
      return ms;
    };

    const ours: number[] = [];
    const reference: number[] = [];
    let layerSize = 0;
    started = performance.now();
    for (let index = 0; index < RUNS; index++) {
      await change();
      const saved = await save(index);
      ours.push(saved.ms);
      layerSize = saved.size;
      reference.push(await commitAndPush(index));
    }
    console.log(
      `\n${CHANGE_MB} MB changed, layer ${(layerSize / 1e6).toFixed(1)} MB gzip'd, node ${process.version}, ${os.cpus().length} CPUs, ${runtime.kind} ${runtime.version}`,
    );
    const fmt = (xs: number[]) =>
      `${(median(xs) / 1000).toFixed(2)} s (min ${(Math.min(...xs) / 1000).toFixed(2)}, max ${(Math.max(...xs) / 1000).toFixed(2)})`;
    console.log(`(a) save as image (agent layer → registry)   ${fmt(ours)}`);
    console.log(`(b) podman commit + podman push              ${fmt(reference)}`);
    const ratio = median(ours) / median(reference);
    const ok = ratio <= TARGET_RATIO;
    console.log(`\nsave / (commit + push) = ${ratio.toFixed(2)} (target ≤ ${TARGET_RATIO}): ${ok ? 'PASS' : 'FAIL'}`);
    if (!ok) process.exitCode = 1;
  } finally {
    await runtime.remove(name, { force: true }).catch(() => undefined);
    await run('podman', ['rmi', '--force', base]).catch(() => undefined);
    registry.stop();
    await detected.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
