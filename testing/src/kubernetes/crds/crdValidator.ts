import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';

/*
 * Validates objects against the openAPIV3Schema of the real CRDs copied into this folder (see
 * README.md), with ajv 8. For tests: a schema failure of a built manifest is a test failure.
 *
 * `x-kubernetes-*` keywords are ignored (ajv `strict: false`). One thing is stricter than a cluster:
 * where a schema lists `properties` and says nothing of others, a cluster silently prunes unknown
 * fields; here they are an error, so a misspelt field fails a test instead of vanishing.
 */

export const CRD_FILES = {
  TrainJob: 'trainer.kubeflow.org_trainjobs.yaml',
  MPIJob: 'kubeflow.org_mpijobs.yaml',
  JobSet: 'jobset.x-k8s.io_jobsets.yaml',
  RayJob: 'ray.io_rayjobs.yaml',
  Workload: 'kueue.x-k8s.io_workloads.yaml',
  WorkloadPriorityClass: 'kueue.x-k8s.io_workloadpriorityclasses.yaml',
  LocalQueue: 'kueue.x-k8s.io_localqueues.yaml',
  ClusterQueue: 'kueue.x-k8s.io_clusterqueues.yaml',
  ResourceFlavor: 'kueue.x-k8s.io_resourceflavors.yaml',
  Tensorboard: 'tensorboard.kubeflow.org_tensorboards.yaml',
  InferenceService: 'serving.kserve.io_inferenceservices.yaml',
} as const;
export type CrdKind = keyof typeof CRD_FILES;

interface CrdVersion {
  name: string;
  schema: { openAPIV3Schema: Record<string, unknown> };
}
interface Crd {
  spec: { group: string; names: { kind: string }; versions: CrdVersion[] };
}

/** The schema with `additionalProperties: false` wherever a cluster would prune unknown fields. */
function closeObjects(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closeObjects);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema as Record<string, unknown>)) {
    // `properties` maps field names to schemas: recurse into each schema, not into the map itself.
    out[key] =
      key === 'properties' && value !== null && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, closeObjects(v)]))
        : closeObjects(value);
  }
  if (
    out.properties !== undefined &&
    out.additionalProperties === undefined &&
    out['x-kubernetes-preserve-unknown-fields'] !== true
  ) {
    out.additionalProperties = false;
  }
  return out;
}

export interface ValidationResult {
  valid: boolean;
  /** `path: message` per problem, empty when valid. */
  errors: string[];
}

export interface CrdValidator {
  validate(object: unknown): ValidationResult;
}

function describe(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const extra =
      e.keyword === 'additionalProperties'
        ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})`
        : '';
    return `${e.instancePath || '/'}: ${e.message ?? e.keyword}${extra}`;
  });
}

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, logger: false });
const compiled = new Map<string, ValidateFunction>();

/** A validator for `kind` at `version`, from the CRD file copied into this folder. */
export function crdValidator(kind: CrdKind, version: string): CrdValidator {
  const key = `${kind}/${version}`;
  let validate = compiled.get(key);
  if (!validate) {
    const text = readFileSync(new URL(`./${CRD_FILES[kind]}`, import.meta.url), 'utf8');
    const crd = parse(text) as Crd;
    if (crd.spec.names.kind !== kind) throw new Error(`${CRD_FILES[kind]} defines ${crd.spec.names.kind}, not ${kind}`);
    const served = crd.spec.versions.find((v) => v.name === version);
    if (!served) throw new Error(`${CRD_FILES[kind]} has no version ${version}`);
    const apiVersion = `${crd.spec.group}/${version}`;
    const schema = closeObjects(served.schema.openAPIV3Schema) as Record<string, unknown>;
    const properties = schema.properties as Record<string, unknown>;
    // The CRD says only "string" for these; an object of another kind or version is not this one.
    properties.apiVersion = { const: apiVersion };
    properties.kind = { const: kind };
    // Kinds without a spec (WorkloadPriorityClass has `value` at the top) need none.
    const required = ['apiVersion', 'kind', 'metadata', ...('spec' in properties ? ['spec'] : [])];
    validate = ajv.compile({
      ...schema,
      required: [...new Set([...required, ...((schema.required as string[]) ?? [])])],
    });
    compiled.set(key, validate);
  }
  return validatorOf(validate);
}

/** Core kinds checked against definitions extracted from the Kubernetes OpenAPI (see README.md). */
export const CORE_KINDS = {
  ConfigMap: 'io.k8s.api.core.v1.ConfigMap',
  Secret: 'io.k8s.api.core.v1.Secret',
  Service: 'io.k8s.api.core.v1.Service',
  StatefulSet: 'io.k8s.api.apps.v1.StatefulSet',
  NetworkPolicy: 'io.k8s.api.networking.v1.NetworkPolicy',
  Namespace: 'io.k8s.api.core.v1.Namespace',
  ServiceAccount: 'io.k8s.api.core.v1.ServiceAccount',
  PersistentVolumeClaim: 'io.k8s.api.core.v1.PersistentVolumeClaim',
  Deployment: 'io.k8s.api.apps.v1.Deployment',
  ClusterRole: 'io.k8s.api.rbac.v1.ClusterRole',
  ClusterRoleBinding: 'io.k8s.api.rbac.v1.ClusterRoleBinding',
} as const;
const CORE_API_VERSIONS: Readonly<Record<keyof typeof CORE_KINDS, string>> = {
  ConfigMap: 'v1',
  Secret: 'v1',
  Service: 'v1',
  StatefulSet: 'apps/v1',
  NetworkPolicy: 'networking.k8s.io/v1',
  Namespace: 'v1',
  ServiceAccount: 'v1',
  PersistentVolumeClaim: 'v1',
  Deployment: 'apps/v1',
  ClusterRole: 'rbac.authorization.k8s.io/v1',
  ClusterRoleBinding: 'rbac.authorization.k8s.io/v1',
};
export type CoreKind = keyof typeof CORE_KINDS;

let coreLoaded = false;

/**
 * OpenAPI v2 writes IntOrString (a port, a target port, a percentage) as `type: string` with
 * `format: int-or-string`, yet the API server takes a number there as well as a string: so does
 * this validator.
 */
function intOrString(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(intOrString);
  if (schema === null || typeof schema !== 'object') return schema;
  const object = schema as Record<string, unknown>;
  if (object.format === 'int-or-string') {
    const { type: _type, format: _format, ...rest } = object;
    return { ...rest, anyOf: [{ type: 'integer' }, { type: 'string' }] };
  }
  return Object.fromEntries(Object.entries(object).map(([key, value]) => [key, intOrString(value)]));
}

/** A validator for a built-in kind, from `kubernetes-openapi-core.json`. */
export function coreValidator(kind: CoreKind): CrdValidator {
  const key = `core/${kind}`;
  let validate = compiled.get(key);
  if (!validate) {
    if (!coreLoaded) {
      const text = readFileSync(new URL('./kubernetes-openapi-core.json', import.meta.url), 'utf8');
      const { definitions } = JSON.parse(text) as { definitions: Record<string, unknown> };
      ajv.addSchema({ $id: 'k8s-core', definitions: intOrString(closeObjects(definitions)) });
      coreLoaded = true;
    }
    validate = ajv.compile({
      allOf: [{ $ref: `k8s-core#/definitions/${CORE_KINDS[kind]}` }],
      properties: { apiVersion: { const: CORE_API_VERSIONS[kind] }, kind: { const: kind } },
      required: ['apiVersion', 'kind', 'metadata'],
    });
    compiled.set(key, validate);
  }
  return validatorOf(validate);
}

function validatorOf(run: ValidateFunction): CrdValidator {
  return {
    validate(object) {
      const valid = run(object);
      return { valid, errors: valid ? [] : describe(run.errors) };
    },
  };
}
