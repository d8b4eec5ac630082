import type { Writable } from 'node:stream';
import { DEFAULT_BASELINE_FILE } from './snapshot/snapshotAgent.js';

/** Where the snapshot agent lives in a dev machine's container, and where it keeps the baseline. */
export const SNAPSHOT_AGENT = '/opt/aiplat/bin/aiplat-snapshot';
export const SNAPSHOT_BASELINE = DEFAULT_BASELINE_FILE;

/** Runs a command inside a dev machine's container as root; resolves with its exit code. */
export type ContainerExec = (
  argv: string[],
  io: { stdout: Writable; stderr: Writable; signal?: AbortSignal },
) => Promise<number>;

/**
 * A running dev machine's container as "save as image" needs it: its base image and a way to run
 * the snapshot agent in it (the local engine through the container runtime's exec, the Kubernetes
 * engine through the pod exec API).
 */
export interface SnapshotTarget {
  baseRef: string;
  exec: ContainerExec;
}

/** Engines that run dev machines in containers offer their containers as snapshot targets. */
export interface SnapshotTargets {
  /** The container of a running dev machine, or a sentence saying why there is none to save. */
  snapshotTarget(devMachineId: string): SnapshotTarget | string;
}
