import type { Service } from '@aiplat/api';
import type { CliContext, Connection } from '../context.js';
import { serviceMessages } from '../serviceMessages.js';

const m = serviceMessages.wait;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What `update --wait` waits for beyond Running: a rolled-out version serving, or a replica count ready. */
export type WaitGoal = { version: number } | { replicas: number };

/**
 * `--wait`: reads the service every poll interval, printing each state it enters (with why a
 * Deploying service waits), until it is Running and has reached the goal (exit code 0), or Failed or
 * Stopped, or the rolled-out version failed while the one before kept serving (1, saying why).
 */
export async function waitForService(
  ctx: CliContext,
  conn: Connection,
  name: string,
  goal?: WaitGoal,
): Promise<number> {
  let last: string | undefined;
  for (;;) {
    const service: Service = await conn.client.getService({ params: { name } });
    const shown = progress(service, goal);
    if (shown !== last) ctx.info(shown);
    last = shown;
    const rolledOut = goal && 'version' in goal ? service.versions.find((v) => v.version === goal.version) : undefined;
    if (rolledOut?.failed !== undefined) {
      ctx.info(m.rolloutFailed(name, rolledOut.version, rolledOut.failed, service.version));
      return 1;
    }
    switch (service.state) {
      case 'Running':
        if (!goal) return 0;
        if ('version' in goal) {
          if (rolledOut?.serving) return 0;
          ctx.info(m.notServing(name, goal.version, service.version));
          return 1;
        }
        if (readyOfServing(service) === goal.replicas && activeOfServing(service) === goal.replicas) return 0;
        await sleep(ctx.pollIntervalMs);
        break;
      case 'Failed':
        ctx.info(m.failed(name, service.failure?.message));
        return 1;
      case 'Stopped':
      case 'Sleeping':
        ctx.info(m.notRunning(name, service.state));
        return 1;
      case 'Deploying':
      case 'Updating':
        await sleep(ctx.pollIntervalMs);
    }
  }
}

function progress(service: Service, goal: WaitGoal | undefined): string {
  const why = service.state === 'Deploying' ? service.waitReason?.message : undefined;
  if (goal && 'replicas' in goal && service.state === 'Running') {
    const active = activeOfServing(service);
    if (active > goal.replicas) return m.scalingDown(service.name, active, goal.replicas);
    return m.replicas(service.name, readyOfServing(service), goal.replicas);
  }
  return m.state(service.name, service.state, why);
}

const ofServing = (service: Service) => service.replicas.filter((r) => r.version === service.version);
const readyOfServing = (service: Service) => ofServing(service).filter((r) => r.state === 'Ready').length;
const activeOfServing = (service: Service) => ofServing(service).filter((r) => r.state !== 'Stopped').length;
