import { ApiError, type serviceRoutes, type ServiceSpec } from '@aiplat/api';
import type { Handlers } from '../server/handlers.js';
import type { CallerKeys } from './callerKeys.js';
import type { ServiceGateway } from './gateway/serviceGateway.js';
import type { ServiceLogs } from './serviceLogs.js';
import type { ServiceService } from './serviceService.js';

type ServiceHandlers = Pick<Handlers, keyof typeof serviceRoutes>;

export interface ServiceHandlerDeps {
  services: () => ServiceService;
  keys: () => CallerKeys;
  logs: () => ServiceLogs;
  gateway: () => ServiceGateway;
  /** The Kubernetes objects of a spec, when the Kubernetes engine is configured. */
  dryRun?: (user: string, spec: ServiceSpec) => Promise<readonly object[]>;
}

export function createServiceHandlers(deps: ServiceHandlerDeps): ServiceHandlers {
  const { services, keys, logs, gateway } = deps;
  const owned = (name: string, owner: string) => services().owned(name, owner);
  return {
    listServices: async (_input, ctx) => ({ services: services().list(ctx.user.name) }),
    deployService: ({ body }, ctx) => services().deploy(ctx.user.name, body.spec),
    serviceDryRun: async ({ body }, ctx) => {
      if (!deps.dryRun) {
        throw new ApiError(
          'validation_failed',
          'the Kubernetes engine is not configured on this server; a dry run shows its objects',
          {
            issues: [{ path: 'body.spec.engine', message: 'no Kubernetes engine on this server' }],
          },
        );
      }
      return { objects: (await deps.dryRun(ctx.user.name, body.spec)) as Record<string, unknown>[] };
    },
    getService: async ({ params }, ctx) => services().get(params.name, ctx.user.name),
    updateService: ({ params, body }, ctx) => services().update(params.name, ctx.user.name, body),
    startService: ({ params }, ctx) => services().start(params.name, ctx.user.name),
    stopService: ({ params, body }, ctx) => services().stop(params.name, ctx.user.name, body.force),
    restartService: ({ params }, ctx) => services().restart(params.name, ctx.user.name),
    deleteService: async ({ params }, ctx) => {
      const deleted = services().delete(params.name, ctx.user.name);
      gateway().forget(params.name);
      return deleted;
    },
    serviceEvents: async ({ params }, ctx) => services().events(params.name, ctx.user.name),
    serviceLogs: ({ params, query }, ctx) => logs().read(params.name, ctx.user.name, query),
    serviceMetrics: async ({ params, query }, ctx) => {
      owned(params.name, ctx.user.name);
      return gateway().metrics(params.name, query);
    },
    listServiceTokens: async ({ params }, ctx) => {
      owned(params.name, ctx.user.name);
      return keys().listTokens(params.name);
    },
    createServiceToken: async ({ params, body }, ctx) => {
      owned(params.name, ctx.user.name);
      return keys().createToken(params.name, body);
    },
    updateServiceToken: async ({ params, body }, ctx) => {
      owned(params.name, ctx.user.name);
      return keys().updateToken(params.name, params.id, body);
    },
    deleteServiceToken: async ({ params }, ctx) => {
      owned(params.name, ctx.user.name);
      return keys().deleteToken(params.name, params.id);
    },
    listAppKeys: async (_input, ctx) => keys().listAppKeys(ctx.user.name),
    createAppKey: async ({ body }, ctx) => keys().createAppKey(ctx.user.name, body),
    updateAppKey: async ({ params, body }, ctx) => keys().updateAppKey(ctx.user.name, params.appKey, body),
    deleteAppKey: async ({ params }, ctx) => keys().deleteAppKey(ctx.user.name, params.appKey),
  };
}
