import type { Service, ServiceVersionSpec } from '@aiplat/api';

/**
 * The service `tiny` of alice, Running version 1 (the tiny model behind an http readiness probe),
 * for the services pages' tests: `patch` replaces the service's fields, `version` the version's.
 */
export function tinyService(patch: Partial<Service> = {}, version: Partial<ServiceVersionSpec> = {}): Service {
  const spec: ServiceVersionSpec = {
    model: 'home/models/tiny',
    code: 'home/serving',
    env: { GREETING: 'hello' },
    command: 'python3 server.py',
    port: 8080,
    resources: { cpu: 0.5, memory: '256Mi', accelerator: { type: 'none', count: 0 } },
    replicas: 1,
    probes: {
      readiness: {
        type: 'http',
        path: '/ready',
        periodSeconds: 1,
        timeoutSeconds: 1,
        initialDelaySeconds: 0,
        failureThreshold: 3,
      },
    },
    ...version,
  };
  return {
    name: 'tiny',
    owner: 'alice',
    tags: {},
    auth: ['appkey', 'token'],
    limits: { qpsPerReplica: 50, concurrencyPerReplica: 4, maxBodyBytes: 2 * 1024 * 1024, upstreamTimeoutSeconds: 30 },
    engine: 'local',
    queue: 'default',
    priority: 5,
    state: 'Running',
    version: 1,
    versions: [{ version: 1, spec, createdAt: '2026-12-05T10:00:00Z', serving: true }],
    replicas: [],
    createdAt: '2026-12-05T10:00:00Z',
    updatedAt: '2026-12-05T10:00:00Z',
    url: '/services/tiny/',
    ...patch,
  };
}
