/** The local engine's scheduler: one pure, deterministic pass over nodes, queues and jobs. */
export { schedule } from './schedule.js';
export type * from './types.js';
