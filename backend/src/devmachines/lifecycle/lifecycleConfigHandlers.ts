import type { Handlers } from '../../server/handlers.js';
import type { LifecycleConfigService } from './lifecycleConfigService.js';

type LifecycleConfigRoute =
  | 'listLifecycleConfigs'
  | 'createLifecycleConfig'
  | 'getLifecycleConfig'
  | 'updateLifecycleConfig'
  | 'deleteLifecycleConfig';

export function createLifecycleConfigHandlers(configs: LifecycleConfigService): Pick<Handlers, LifecycleConfigRoute> {
  return {
    listLifecycleConfigs: async (_input, ctx) => ({ lifecycleConfigs: configs.list(ctx.user.name) }),
    createLifecycleConfig: async ({ body }, ctx) => configs.create(ctx.user.name, body.spec),
    getLifecycleConfig: async ({ params }, ctx) => configs.get(params.id, ctx.user.name),
    updateLifecycleConfig: async ({ params, body }, ctx) => configs.update(params.id, ctx.user.name, body.spec),
    deleteLifecycleConfig: async ({ params }, ctx) => configs.delete(params.id, ctx.user.name),
  };
}
