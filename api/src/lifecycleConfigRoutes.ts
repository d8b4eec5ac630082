import {
  DeleteLifecycleConfigResponseSchema,
  LifecycleConfigBodySchema,
  LifecycleConfigIdParamsSchema,
  LifecycleConfigListResponseSchema,
  LifecycleConfigSchema,
} from './schemas/lifecycleConfigs.js';
import { route } from './route.js';

/** Lifecycle configs' routes (a part of `routes`). */
export const lifecycleConfigRoutes = {
  listLifecycleConfigs: route({
    method: 'get',
    path: '/api/lifecycle-configs',
    summary: "The user's lifecycle configs (scripts dev machines run before their IDEs), newest first",
    tag: 'devmachines',
    response: LifecycleConfigListResponseSchema,
  }),
  createLifecycleConfig: route({
    method: 'post',
    path: '/api/lifecycle-configs',
    summary: 'Create a lifecycle config: an on-create and an on-start script, each base64-encoded',
    tag: 'devmachines',
    body: LifecycleConfigBodySchema,
    response: LifecycleConfigSchema,
  }),
  getLifecycleConfig: route({
    method: 'get',
    path: '/api/lifecycle-configs/:id',
    summary: 'One lifecycle config, with its scripts',
    tag: 'devmachines',
    params: LifecycleConfigIdParamsSchema,
    response: LifecycleConfigSchema,
  }),
  updateLifecycleConfig: route({
    method: 'put',
    path: '/api/lifecycle-configs/:id',
    summary: 'Replace a lifecycle config; dev machines that use it run the new scripts from their next start',
    tag: 'devmachines',
    params: LifecycleConfigIdParamsSchema,
    body: LifecycleConfigBodySchema,
    response: LifecycleConfigSchema,
  }),
  deleteLifecycleConfig: route({
    method: 'delete',
    path: '/api/lifecycle-configs/:id',
    summary: 'Delete a lifecycle config no dev machine uses',
    tag: 'devmachines',
    params: LifecycleConfigIdParamsSchema,
    response: DeleteLifecycleConfigResponseSchema,
  }),
} as const;
