import {
  CopyDevMachineResponseSchema,
  CreateDevMachineBodySchema,
  DeleteDevMachineResponseSchema,
  DevMachineEventsResponseSchema,
  DevMachineIdParamsSchema,
  DevMachineListResponseSchema,
  DevMachineSchema,
  StopDevMachineBodySchema,
} from './schemas/devMachines.js';
import { route } from './route.js';

/** The dev machines' routes (a part of `routes`). */
export const devMachineRoutes = {
  listDevMachines: route({
    method: 'get',
    path: '/api/devmachines',
    summary: "The user's dev machines, newest first",
    tag: 'devmachines',
    response: DevMachineListResponseSchema,
  }),
  createDevMachine: route({
    method: 'post',
    path: '/api/devmachines',
    summary: 'Create a dev machine (JupyterLab and/or code-server with /work), started at once unless start is false',
    tag: 'devmachines',
    body: CreateDevMachineBodySchema,
    response: DevMachineSchema,
  }),
  getDevMachine: route({
    method: 'get',
    path: '/api/devmachines/:id',
    summary: 'One dev machine',
    tag: 'devmachines',
    params: DevMachineIdParamsSchema,
    response: DevMachineSchema,
  }),
  startDevMachine: route({
    method: 'post',
    path: '/api/devmachines/:id/start',
    summary: 'Start a stopped or failed dev machine',
    tag: 'devmachines',
    params: DevMachineIdParamsSchema,
    response: DevMachineSchema,
  }),
  stopDevMachine: route({
    method: 'post',
    path: '/api/devmachines/:id/stop',
    summary: 'Stop a dev machine: its IDEs end, its resources are freed, /work keeps everything',
    tag: 'devmachines',
    params: DevMachineIdParamsSchema,
    body: StopDevMachineBodySchema,
    response: DevMachineSchema,
  }),
  copyDevMachine: route({
    method: 'get',
    path: '/api/devmachines/:id/copy',
    summary: "A dev machine's spec for editing and creating another one",
    tag: 'devmachines',
    params: DevMachineIdParamsSchema,
    response: CopyDevMachineResponseSchema,
  }),
  deleteDevMachine: route({
    method: 'delete',
    path: '/api/devmachines/:id',
    summary: 'Delete a stopped or failed dev machine (its files under /work stay)',
    tag: 'devmachines',
    params: DevMachineIdParamsSchema,
    response: DeleteDevMachineResponseSchema,
  }),
  devMachineEvents: route({
    method: 'get',
    path: '/api/devmachines/:id/events',
    summary: "A dev machine's events, oldest first",
    tag: 'devmachines',
    params: DevMachineIdParamsSchema,
    response: DevMachineEventsResponseSchema,
  }),
} as const;
