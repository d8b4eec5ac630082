import { coreValidator, crdValidator, type CrdKind, type CrdValidator } from '../crds/crdValidator.js';
import type { StatusCause } from './apiErrors.js';
import type { KubeObject } from './kubeObject.js';
import type { ResourceType } from './resources.js';

/*
 * What the fake checks on create, update and patch: custom resources, ConfigMaps, Secrets,
 * Services, StatefulSets, Deployments and NetworkPolicies against the same schemas the manifest tests use
 * (../crds/crdValidator.ts), other built-in kinds only for their name. Server-set metadata passes: metadata is an open object in the CRD schemas, and the
 * ConfigMap schema has the full ObjectMeta.
 */

const CRD_KINDS = new Set<string>([
  'TrainJob',
  'MPIJob',
  'JobSet',
  'RayJob',
  'Workload',
  'LocalQueue',
  'ClusterQueue',
  'WorkloadPriorityClass',
  'Tensorboard',
  'InferenceService',
]);

function validatorFor(type: ResourceType): CrdValidator | undefined {
  if (type.group === '' && (type.kind === 'ConfigMap' || type.kind === 'Secret' || type.kind === 'Service'))
    return coreValidator(type.kind);
  if (type.group === 'apps' && (type.kind === 'StatefulSet' || type.kind === 'Deployment'))
    return coreValidator(type.kind);
  if (type.group === 'networking.k8s.io' && type.kind === 'NetworkPolicy') return coreValidator('NetworkPolicy');
  if (CRD_KINDS.has(type.kind)) return crdValidator(type.kind as CrdKind, type.version);
  return undefined;
}

/** A DNS-1123 subdomain, what most kinds require of a name. */
const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** `/spec: must have required property 'runtimeRef'` → field `spec.runtimeRef`, "Required value". */
function causeOf(error: string): StatusCause {
  const split = error.indexOf(': ');
  const path = error.slice(0, split).split('/').filter(Boolean).join('.');
  const message = error.slice(split + 2);
  const join = (child: string) => (path ? `${path}.${child}` : child);
  const required = /^must have required property '(.+)'$/.exec(message);
  if (required) return { reason: 'FieldValueRequired', message: 'Required value', field: join(required[1]!) };
  const unknown = /^must NOT have additional properties \((.+)\)$/.exec(message);
  if (unknown) return { reason: 'FieldValueNotSupported', message: 'unknown field', field: join(unknown[1]!) };
  return { reason: 'FieldValueInvalid', message: `Invalid value: ${message}`, field: path || '<root>' };
}

/** The problems a real server would answer 422 for; empty when `object` is acceptable. */
export function validate(type: ResourceType, object: KubeObject): StatusCause[] {
  const name = object.metadata.name;
  if (typeof name !== 'string' || name === '') {
    return [
      {
        reason: 'FieldValueRequired',
        message: 'Required value: name or generateName is required',
        field: 'metadata.name',
      },
    ];
  }
  if (name.length > 253 || !NAME.test(name)) {
    const message = `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`;
    return [{ reason: 'FieldValueInvalid', message, field: 'metadata.name' }];
  }
  const validator = validatorFor(type);
  if (!validator) return [];
  let { errors } = validator.validate(object);
  // crdValidator requires `spec` of every kind, but a WorkloadPriorityClass has `value` instead.
  if (type.kind === 'WorkloadPriorityClass')
    errors = errors.filter((e) => e !== "/: must have required property 'spec'");
  return errors.map(causeOf);
}
