import { existsSync } from 'node:fs';

/** What a container gets for the accelerators its placement holds. */
export interface ContainerDevices {
  /** Device nodes of this machine passed into the container (at the same paths). */
  devices: string[];
  /** The placement's device variables as they hold inside the container. */
  env: Record<string, string>;
}

/** Per vendor: the variable the placement sets, the node of device N, the nodes every user needs. */
const VENDORS = [
  {
    visible: 'CUDA_VISIBLE_DEVICES',
    // What NVIDIA's container toolkit (its OCI hook or CDI) reads to mount the driver's libraries.
    runtimeVariable: 'NVIDIA_VISIBLE_DEVICES',
    node: (id: string) => `/dev/nvidia${id}`,
    shared: ['/dev/nvidiactl', '/dev/nvidia-uvm', '/dev/nvidia-uvm-tools', '/dev/nvidia-modeset'],
  },
  {
    visible: 'ASCEND_RT_VISIBLE_DEVICES',
    // What Ascend's docker runtime reads to mount the driver.
    runtimeVariable: 'ASCEND_VISIBLE_DEVICES',
    node: (id: string) => `/dev/davinci${id}`,
    shared: ['/dev/davinci_manager', '/dev/devmm_svm', '/dev/hisi_hdc'],
  },
] as const;

/**
 * The devices of a placement (its CUDA_/ASCEND_RT_VISIBLE_DEVICES, this machine's device indexes)
 * for a container: each device's node and the vendor's shared nodes that exist here, and the
 * variables renumbered as the container sees them — only those devices, numbered from 0, as with
 * NVIDIA's and Ascend's container runtimes, whose variable (NVIDIA_/ASCEND_VISIBLE_DEVICES) keeps
 * this machine's indexes. Virtual accelerators (declared in config, with no node here) get only
 * the variables.
 */
export function containerDevices(
  devicesEnv: Readonly<Record<string, string>>,
  exists: (path: string) => boolean = existsSync,
): ContainerDevices {
  const env = { ...devicesEnv };
  const devices: string[] = [];
  for (const vendor of VENDORS) {
    const value = devicesEnv[vendor.visible];
    if (value === undefined) continue;
    const ids = value.split(',').filter((id) => /^\d+$/.test(id));
    const nodes = ids.map(vendor.node).filter(exists);
    if (nodes.length === 0) continue;
    devices.push(...nodes, ...vendor.shared.filter(exists));
    env[vendor.runtimeVariable] = ids.join(',');
    env[vendor.visible] = ids.map((_id, index) => String(index)).join(',');
  }
  return { devices, env };
}
