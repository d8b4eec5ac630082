import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseMemory } from '@aiplat/api';
import type { DevMachineRecord } from '../../../devmachines/devMachineStore.js';
import type { ContainerSpec } from '../containers/containerRuntime.js';
import { workMounts } from '../containers/workMounts.js';

/*
 * What a dev machine's container is made of: the image's own entrypoint replaced by the platform's
 * start script (mounted read-only, so every image runs the current one), /work mounted as on
 * Kubernetes, the IDEs' sockets in a folder only the backend reaches, and its resources.
 */

const REPO = fileURLToPath(new URL('../../../../../', import.meta.url));
/** The platform's scripts, mounted read-only (so every image runs the current ones). */
export const HOST_SCRIPTS = {
  target: '/opt/aiplat/host',
  /** Reads the start's settings, records the snapshot baseline at the first start, runs the IDEs. */
  start: path.join(REPO, 'images', 'devmachine-local', 'container', 'start.sh'),
  /** The entrypoint the Kubernetes pods run. */
  ides: path.join(REPO, 'images', 'devmachine', 'entrypoint.sh'),
};
export const IDE_SOCKETS = '/run/aiplat';
export const START_ENV = 'start.env';
/**
 * start.sh waits for this file before the IDEs when the start has lifecycle scripts, having made
 * `<gate>.ready` once the snapshot baseline is taken: the scripts run between the two, so what they
 * install is a change a save keeps, and the IDEs start only after them.
 */
export const LIFECYCLE_GATE = 'lifecycle.go';

export const containerName = (id: string) => `aiplat-dm-${id}`;
export const DEV_MACHINE_LABEL = 'aiplat.devmachine';
/** The image as the spec named it (runtimes report it normalised). */
export const IMAGE_LABEL = 'aiplat.image';
/** The device nodes the container was made with (a runtime cannot change them afterwards). */
export const DEVICES_LABEL = 'aiplat.devices';

export function devMachineContainerSpec(
  machine: DevMachineRecord,
  workRoot: string,
  place: { name: string; image: string; runtimeDir: string; cpus: number | undefined; devices: string[] },
): ContainerSpec {
  const { name, image, runtimeDir, cpus, devices } = place;
  const memory = machine.spec.resources.memory === undefined ? undefined : parseMemory(machine.spec.resources.memory);
  return {
    name,
    image,
    entrypoint: ['/bin/sh', `${HOST_SCRIPTS.target}/start.sh`],
    env: {
      ...machine.spec.env,
      AIPLAT_DEVMACHINE_ID: machine.id,
      AIPLAT_BASE_PATH: `/devmachines/${machine.id}/`,
      AIPLAT_IDES: machine.spec.ides.join(','),
      AIPLAT_WORK_ROOT: '/work',
      AIPLAT_START_ENV: `${IDE_SOCKETS}/${START_ENV}`,
      AIPLAT_LAB_SOCKET: `${IDE_SOCKETS}/jupyterlab.sock`,
      AIPLAT_CODE_SOCKET: `${IDE_SOCKETS}/code-server.sock`,
    },
    workingDir: containerWorkingDir(machine),
    mounts: [
      ...workMounts(workRoot, machine.owner),
      { source: runtimeDir, target: IDE_SOCKETS, readOnly: false },
      { source: HOST_SCRIPTS.start, target: `${HOST_SCRIPTS.target}/start.sh`, readOnly: true },
      { source: HOST_SCRIPTS.ides, target: `${HOST_SCRIPTS.target}/aiplat-devmachine`, readOnly: true },
    ],
    labels: {
      [DEV_MACHINE_LABEL]: machine.id,
      [IMAGE_LABEL]: image,
      [DEVICES_LABEL]: devices.join(','),
      'aiplat.owner': machine.owner,
    },
    resources: {
      ...(cpus ? { cpus } : {}),
      ...(devices.length ? { devices } : {}),
      ...(memory ? { memoryBytes: memory } : {}),
    },
    init: true,
    // The IDEs listen on sockets, not ports; the host network lets them reach the platform on loopback.
    network: 'host',
  };
}

/** `home/project` → `/work/home/<owner>/project`, as the Kubernetes engine mounts it. */
export function containerWorkingDir(machine: DevMachineRecord): string {
  const [root, ...rest] = machine.spec.workingDir.split('/');
  const base = root === 'home' ? `/work/home/${machine.owner}` : `/work/${root}`;
  return [base, ...rest].filter(Boolean).join('/');
}
