import type { Service } from '@aiplat/api';
import type { CliContext, Connection } from '../context.js';
import { serviceMessages } from '../serviceMessages.js';

const m = serviceMessages.wait;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * `--wait`: reads the service every poll interval, printing each state it enters (with why a
 * Deploying service waits), until it is Running (exit code 0) or Failed or Stopped (1, saying why).
 */
export async function waitForService(ctx: CliContext, conn: Connection, name: string): Promise<number> {
  let last: string | undefined;
  for (;;) {
    const service: Service = await conn.client.getService({ params: { name } });
    const shown = m.state(name, service.state, service.state === 'Deploying' ? service.waitReason?.message : undefined);
    if (shown !== last) ctx.info(shown);
    last = shown;
    switch (service.state) {
      case 'Running':
        return 0;
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
