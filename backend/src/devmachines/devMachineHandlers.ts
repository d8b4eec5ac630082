import type { Handlers } from '../server/handlers.js';
import type { DevMachineService } from './devMachineService.js';
import type { DevMachineLogs } from './devMachineLogs.js';
import type { IdleMonitor } from './idle/idleMonitor.js';

type DevMachineRoute =
  | 'listDevMachines'
  | 'createDevMachine'
  | 'getDevMachine'
  | 'startDevMachine'
  | 'stopDevMachine'
  | 'snoozeDevMachineAutoStop'
  | 'devMachineIdle'
  | 'copyDevMachine'
  | 'deleteDevMachine'
  | 'devMachineEvents'
  | 'devMachineLogs';

export function createDevMachineHandlers(
  machines: DevMachineService,
  logs: DevMachineLogs,
  idle: IdleMonitor,
): Pick<Handlers, DevMachineRoute> {
  return {
    listDevMachines: async (_input, ctx) => ({ devMachines: machines.list(ctx.user.name) }),
    createDevMachine: ({ body }, ctx) => machines.create(ctx.user.name, body.spec, body.start),
    getDevMachine: async ({ params }, ctx) => machines.get(params.id, ctx.user.name),
    startDevMachine: ({ params, body }, ctx) => machines.start(params.id, ctx.user.name, body.safeMode),
    stopDevMachine: ({ params, body }, ctx) => machines.stop(params.id, ctx.user.name, body.force),
    devMachineIdle: ({ params }, ctx) => idle.status(params.id, ctx.user.name),
    snoozeDevMachineAutoStop: async ({ params }, ctx) => machines.snooze(params.id, ctx.user.name),
    copyDevMachine: async ({ params }, ctx) => machines.copy(params.id, ctx.user.name),
    deleteDevMachine: async ({ params }, ctx) => machines.delete(params.id, ctx.user.name),
    devMachineEvents: async ({ params }, ctx) => machines.events(params.id, ctx.user.name),
    devMachineLogs: ({ params, query }, ctx) => logs.read(params.id, ctx.user.name, query),
  };
}
