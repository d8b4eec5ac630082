import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { podmanMissing, startPodman, type PodmanHarness } from '../../../../../testing/src/images/podman.js';
import { detectContainerRuntime, NO_RUNTIME_REASON, runtimeInfo } from './detectRuntime.js';
import { startPodmanService } from './podmanService.js';

/*
 * Finding the local engine's container runtime for real: Podman's own API service started and
 * stopped by the backend, a configured socket, and the reasons when there is none.
 */

const skip = podmanMissing();
let dir: string;
let podman: PodmanHarness;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-detect-'));
  if (!skip) podman = await startPodman();
}, 60_000);
afterAll(async () => {
  if (!skip) await podman.close();
  await rm(dir, { recursive: true, force: true });
});

const alive = (pid: number) =>
  existsSync(`/proc/${pid}`) && readFile(`/proc/${pid}/stat`, 'utf8').then((s) => !/\) Z /.test(s));

describe('detectContainerRuntime without a runtime', () => {
  it('reports none when containers are turned off, without looking', async () => {
    const detected = await detectContainerRuntime({ runtime: 'none', dataDir: path.join(dir, 'off') });
    expect(runtimeInfo(detected)).toEqual({
      kind: 'none',
      reason: expect.stringContaining('containers.runtime: none'),
    });
  });

  it('says what to install when podman is not on PATH and no socket answers', async () => {
    const emptyPath = path.join(dir, 'empty-bin');
    await mkdir(emptyPath);
    const detected = await detectContainerRuntime({
      runtime: 'auto',
      dataDir: path.join(dir, 'no-podman'),
      env: { PATH: emptyPath },
      wellKnownSockets: [path.join(dir, 'nothing.sock')],
    });
    expect(runtimeInfo(detected)).toEqual({ kind: 'none', reason: NO_RUNTIME_REASON });
    expect(detected.reason).toMatch(/install podman and runc .* dev machines run as processes/);
  });

  it("gives the end of podman's stderr when its service does not come up", async () => {
    const bin = path.join(dir, 'broken-bin');
    await mkdir(bin);
    const fake = path.join(bin, 'podman');
    await writeFile(fake, '#!/bin/sh\necho "Error: cannot set up the network: this host says no" >&2\nexit 125\n');
    await chmod(fake, 0o755);
    const detected = await detectContainerRuntime({
      runtime: 'auto',
      dataDir: path.join(dir, 'broken'),
      env: { PATH: bin },
      wellKnownSockets: [],
    });
    expect(detected.kind).toBe('none');
    expect(detected.reason).toContain('podman system service exited (125)');
    expect(detected.reason).toContain('cannot set up the network: this host says no');
  });

  it('says so when the configured socket does not answer', async () => {
    const socketPath = path.join(dir, 'configured.sock');
    const detected = await detectContainerRuntime({ runtime: 'auto', socketPath, dataDir: dir });
    expect(detected).toMatchObject({
      kind: 'none',
      reason: expect.stringContaining(`${socketPath} (containers.socketPath) does not answer`),
    });
  });
});

describe.skipIf(skip)('detectContainerRuntime with Podman installed', () => {
  it('starts a Podman service of its own, reads its version, and stops it on close', async () => {
    const dataDir = path.join(dir, 'data');
    const detected = await detectContainerRuntime({ runtime: 'auto', dataDir, wellKnownSockets: [] });
    expect(runtimeInfo(detected)).toEqual({ kind: 'podman', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    expect(detected.socketPath).toBe(path.join(dataDir, 'podman', 'podman.sock'));
    expect(detected.runtime?.kind).toBe('podman');
    expect(await detected.runtime?.list({ label: podman.label })).toEqual([]);
    const pid = Number(await readFile(path.join(dataDir, 'podman', 'podman-service.pid'), 'utf8'));
    expect(await alive(pid)).toBe(true);
    await detected.close();
    await detected.close();
    expect(await alive(pid)).toBe(false);
    expect(existsSync(detected.socketPath!)).toBe(false);
    await expect(detected.runtime?.list({ label: podman.label })).rejects.toMatchObject({
      code: 'runtime_unreachable',
      message: expect.stringContaining(`the container runtime at ${detected.socketPath} does not answer`),
    });
  });

  it('uses the configured socket, and refuses one of the other kind', async () => {
    const found = await detectContainerRuntime({ runtime: 'podman', socketPath: podman.socketPath, dataDir: dir });
    expect(found).toMatchObject({ kind: 'podman', socketPath: podman.socketPath });
    const wrongKind = await detectContainerRuntime({ runtime: 'docker', socketPath: podman.socketPath, dataDir: dir });
    expect(wrongKind).toMatchObject({
      kind: 'none',
      reason: expect.stringContaining('containers.runtime is docker but'),
    });
  });

  it('stops the service a killed backend left behind before starting its own', async () => {
    const socketPath = path.join(dir, 'restart', 'podman.sock');
    const left = await startPodmanService({ podman: '/usr/bin/podman', socketPath, startTimeoutMs: 20_000 });
    // The backend that started `left` is gone without closing it; the next one starts over.
    const next = await startPodmanService({ podman: '/usr/bin/podman', socketPath, startTimeoutMs: 20_000 });
    expect(next.pid).not.toBe(left.pid);
    expect(await alive(left.pid)).toBe(false);
    await next.close();
    await left.close();
  });
});
