export { createSupervisor, DEFAULT_SHIM_PATH } from './supervisor.js';
export type { AdoptResult, LaunchRequest, Supervisor, SupervisorOptions } from './supervisor.js';
export type { InstanceHandle } from './instanceHandle.js';
export type { ExitStatus, InstanceState } from './instanceState.js';
export { instancePaths } from './instanceState.js';
export { allocatePorts, createPortAllocator } from './allocatePorts.js';
export type { PortAllocator } from './allocatePorts.js';
