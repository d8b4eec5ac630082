import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform } from '../../../../../testing/src/backend/platformFixture.js';
import { podmanMissing, startPodman, type PodmanHarness } from '../../../../../testing/src/images/podman.js';
import type { DetectedRuntime } from './detectRuntime.js';

/*
 * The local engine's container runtime as the platform holds it and /api/info shows it: test
 * backends have none unless a test asks (by config, or with a detection of its own), and a
 * detection still under way is waited for, never blocking the backend's start.
 */

const skip = podmanMissing();
let podman: PodmanHarness;
beforeAll(async () => {
  if (!skip) podman = await startPodman();
}, 60_000);
afterAll(async () => {
  if (!skip) await podman.close();
});

describe("the platform's container runtime", () => {
  it('starts while detection is under way, shows its result in /api/info, and closes what it found', async () => {
    let finish: (detected: DetectedRuntime) => void = () => {};
    let closed = 0;
    const f = await startPlatform(
      {},
      {
        detectContainerRuntime: () => new Promise((resolve) => (finish = resolve)),
      },
    );
    try {
      const info = f.client().info();
      finish({ kind: 'docker', version: '27.1.0', notes: [], close: async () => void closed++ });
      expect((await info).containerRuntime).toEqual({ kind: 'docker', version: '27.1.0' });
    } finally {
      await f.close();
    }
    expect(closed).toBe(1);
  });

  it('reports none with the reason when detection itself fails', async () => {
    const f = await startPlatform({}, { detectContainerRuntime: () => Promise.reject(new Error('socket on fire')) });
    try {
      expect((await f.client().info()).containerRuntime).toEqual({
        kind: 'none',
        reason: expect.stringContaining('socket on fire'),
      });
    } finally {
      await f.close();
    }
  });
});

describe.skipIf(skip)('the platform on Podman', () => {
  it('shows the runtime in /api/info: none in test backends unless a test asks, Podman when asked', async () => {
    const plain = await startPlatform();
    try {
      const info = await plain.client().info();
      expect(info.containerRuntime).toEqual({
        kind: 'none',
        reason: expect.stringContaining('containers.runtime: none'),
      });
    } finally {
      await plain.close();
    }
    const withPodman = await startPlatform({
      containers: { runtime: 'podman', socketPath: podman.socketPath, jobs: false, services: false },
    });
    try {
      const info = await withPodman.client().info();
      expect(info.containerRuntime).toEqual({ kind: 'podman', version: expect.stringMatching(/^\d+\.\d+/) });
      expect(await withPodman.platform.containers.runtime()).toBeDefined();
    } finally {
      await withPodman.close();
    }
  });
});
