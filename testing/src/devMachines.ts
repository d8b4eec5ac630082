import type { ApiClient, DevMachine, DevMachineSpecInput, DevMachineState } from '@aiplat/api';

/** Polls a dev machine until it is in one of `states`; fails with what it last was after `timeoutMs`. */
export async function waitForDevMachine(
  client: ApiClient,
  id: string,
  states: readonly DevMachineState[],
  timeoutMs = 90_000,
): Promise<DevMachine> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const machine = await client.getDevMachine({ params: { id } });
    if (states.includes(machine.state)) return machine;
    if (Date.now() > deadline) throw new Error(`${id} stayed ${machine.state}: ${JSON.stringify(machine)}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

/** Creates a dev machine and waits until it runs; fails with its failure when it does not. */
export async function runningDevMachine(client: ApiClient, spec: DevMachineSpecInput): Promise<DevMachine> {
  const created = await client.createDevMachine({ body: { spec } });
  const machine = await waitForDevMachine(client, created.id, ['Running', 'Failed'], 150_000);
  if (machine.state !== 'Running') throw new Error(`${spec.name} failed: ${machine.failure?.message}`);
  return machine;
}
