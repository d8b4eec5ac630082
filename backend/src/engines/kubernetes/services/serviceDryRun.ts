import { ApiError, type ServiceSpec } from '@aiplat/api';
import { manifestOptionsFor, type KubernetesConfig } from '../config.js';
import {
  serviceManifests,
  ServiceManifestError,
  serviceObjectName,
  type PipEnvironment,
  type ServiceObject,
} from './serviceManifests.js';

/** What a dry run shows for each value of the version's Secret: where it comes from, never the value. */
export const REDACTED_PIP_SETTING = '<from services.pip>';

/**
 * The objects a service's first version would make on the Kubernetes engine, without creating
 * anything (`aiplat service deploy --dry-run`, POST /api/services/dry-run). A Secret shows its keys
 * only; a spec that cannot run there is a 400 at the field to fix.
 */
export function dryRunService(
  user: string,
  spec: ServiceSpec,
  config: KubernetesConfig,
  pip: PipEnvironment,
): ServiceObject[] {
  const base = manifestOptionsFor(config, { user, jobId: serviceObjectName(spec.name, 1), queue: spec.queue });
  let objects: ServiceObject[];
  try {
    objects = serviceManifests(
      { name: spec.name, owner: user, queue: spec.queue, priority: spec.priority },
      1,
      spec.version,
      { base, serving: config.serviceServing, pip, backendNamespace: config.backendNamespace },
    );
  } catch (error) {
    throw refusal(error);
  }
  return objects.map((object) =>
    object.kind === 'Secret'
      ? {
          ...object,
          stringData: Object.fromEntries(Object.keys(object.stringData).map((key) => [key, REDACTED_PIP_SETTING])),
        }
      : object,
  );
}

/** A version the Kubernetes engine can never run, as the 400 the API answers. */
export function refusal(error: unknown): unknown {
  if (!(error instanceof ServiceManifestError)) return error;
  return new ApiError('validation_failed', `this service cannot run on the Kubernetes engine: ${error.message}`, {
    issues: [{ path: `body.spec.version.${error.field}`, message: error.message }],
  });
}
