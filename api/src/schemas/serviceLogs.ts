import type { z } from 'zod';
import { intParam } from './params.js';
import { JobLogsQuerySchema } from './jobRequests.js';

/**
 * A service's logs read like a job's: each line's `instance` is the replica index, and the version
 * chooses whose replicas (the serving one when left out).
 */
export const ServiceLogsQuerySchema = JobLogsQuerySchema.extend({
  version: intParam(1, 1_000_000).optional(),
});
export type ServiceLogsQuery = z.output<typeof ServiceLogsQuerySchema>;
