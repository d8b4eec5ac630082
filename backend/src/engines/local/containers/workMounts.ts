import path from 'node:path';
import type { ContainerMount } from './containerRuntime.js';

/** Where /work is inside a dev machine's or a service replica's container, as on Kubernetes. */
export const CONTAINER_WORK_ROOT = '/work';

/** The owner's /work roots as a container sees them: home and cache read-write, mount read-only. */
export function workMounts(workRoot: string, owner: string): ContainerMount[] {
  return [
    { source: path.join(workRoot, 'home', owner), target: `${CONTAINER_WORK_ROOT}/home/${owner}`, readOnly: false },
    { source: path.join(workRoot, 'cache'), target: `${CONTAINER_WORK_ROOT}/cache`, readOnly: false },
    { source: path.join(workRoot, 'mount'), target: `${CONTAINER_WORK_ROOT}/mount`, readOnly: true },
  ];
}

/** A folder of this machine under `workRoot` as the container sees it under CONTAINER_WORK_ROOT. */
export function containerWorkPath(workRoot: string, hostPath: string): string {
  const relative = path.relative(workRoot, hostPath);
  if (relative.startsWith('..') || path.isAbsolute(relative)) throw new Error(`${hostPath} is not under ${workRoot}`);
  return path.posix.join(CONTAINER_WORK_ROOT, relative);
}

/** The converse of containerWorkPath: a folder under CONTAINER_WORK_ROOT as the folder of this machine it is mounted from. */
export function hostWorkPath(workRoot: string, containerPath: string): string {
  const relative = path.posix.relative(CONTAINER_WORK_ROOT, containerPath);
  if (relative.startsWith('..') || path.posix.isAbsolute(relative)) {
    throw new Error(`${containerPath} is not under ${CONTAINER_WORK_ROOT}`);
  }
  return path.join(workRoot, relative);
}
