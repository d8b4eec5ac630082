import { DevMachineSpecSchema, type DevMachine } from '@aiplat/api';
import type { DevMachineService } from './devMachineService.js';

export const DEFAULT_DEV_MACHINE_NAME = 'workspace';

/**
 * What `npm start` gives a newcomer: their dev machine "workspace" (JupyterLab and code-server in
 * their home), created on the first start and started on every start; resolves once it runs or
 * has failed (the failure says what is missing).
 */
export async function startDefaultDevMachine(
  machines: DevMachineService,
  owner: string,
  timeoutMs: number,
): Promise<DevMachine> {
  const existing = machines.list(owner).find((machine) => machine.spec.name === DEFAULT_DEV_MACHINE_NAME);
  const started = existing
    ? await machines.start(existing.id, owner)
    : await machines.create(
        owner,
        // It holds what it asks for on the jobs' queues: an IDE mostly waits for its person, so little.
        DevMachineSpecSchema.parse({ name: DEFAULT_DEV_MACHINE_NAME, resources: { cpu: 0.5, memory: '2Gi' } }),
        true,
      );
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const machine = machines.get(started.id, owner);
    if (machine.state === 'Running' || machine.state === 'Failed' || Date.now() > deadline) return machine;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
