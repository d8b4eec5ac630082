import type { Placement, SchedulerNode } from '../scheduler/index.js';
import { visibleDevicesEnv } from './environment.js';

/**
 * The devices a one-instance placement (a service replica, a dev machine) gives its process, as the
 * variables CUDA and CANN read, with AIPLAT_GPU_SHARE for a share of one GPU.
 */
export function placementDevicesEnv(placement: Placement, nodes: readonly SchedulerNode[]): Record<string, string> {
  const instance = placement.instances[0];
  const kind = nodes.find((node) => node.name === instance?.node)?.accelerator.type;
  if (!instance || !kind || kind === 'none') return {};
  const env = visibleDevicesEnv({ kind, ids: [...instance.devices] });
  if (instance.deviceShare > 0 && instance.deviceShare < 1) env.AIPLAT_GPU_SHARE = String(instance.deviceShare);
  return env;
}
