import { ApiError, type ServiceSpec } from '@aiplat/api';
import { manifestOptionsFor, type KubernetesConfig } from '../config.js';
import { serviceManifests, serviceObjectName, type PipEnvironment, type ServiceObject } from './serviceManifests.js';

/**
 * The objects a service's version would make on the Kubernetes engine, without creating anything
 * (`aiplat service deploy --dry-run`, POST /api/services/dry-run); a spec that cannot run there is a 400.
 */
export function dryRunService(
  user: string,
  spec: ServiceSpec,
  config: KubernetesConfig,
  pip: PipEnvironment,
): ServiceObject[] {
  const base = manifestOptionsFor(config, { user, jobId: serviceObjectName(spec.name, 1), queue: spec.queue });
  try {
    return serviceManifests(
      { name: spec.name, owner: user, queue: spec.queue, priority: spec.priority },
      1,
      spec.version,
      {
        base,
        serving: config.serviceServing,
        pip,
        backendNamespace: config.backendNamespace,
      },
    );
  } catch (error) {
    throw new ApiError(
      'validation_failed',
      `this service cannot run on the Kubernetes engine: ${(error as Error).message}`,
      {
        issues: [{ path: 'body.spec.version.image', message: (error as Error).message }],
      },
    );
  }
}
