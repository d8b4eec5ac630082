import { ServiceLimitsSchema, ServiceVersionSpecSchema } from '@aiplat/api';
import type { ServiceRecord } from '../../../backend/src/services/serviceStore.js';

/** When the records below were made: a fixed instant, so stored records compare equal. */
export const RECORD_TIME = '2026-12-05T10:00:00.000Z';

/**
 * A stored service as the core keeps it, for tests of the store, the keys and the idle sweep:
 * owned by alice, one serving version of the tiny model, no replicas; `fields` override any part.
 */
export function serviceRecord(name: string, fields: Partial<ServiceRecord> = {}): ServiceRecord {
  return {
    name,
    owner: 'alice',
    tags: {},
    auth: ['appkey', 'token'],
    limits: ServiceLimitsSchema.parse({}),
    engine: 'local',
    queue: 'default',
    priority: 0,
    state: 'Deploying',
    version: 1,
    versions: [
      {
        version: 1,
        spec: ServiceVersionSpecSchema.parse({
          model: 'mount/models/tiny-gpt2',
          command: 'python3 serve.py',
          resources: { cpu: 1, memory: '1Gi' },
        }),
        createdAt: RECORD_TIME,
        serving: true,
      },
    ],
    replicas: [],
    createdAt: RECORD_TIME,
    updatedAt: RECORD_TIME,
    ...fields,
  };
}
