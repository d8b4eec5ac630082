import { createHash } from 'node:crypto';
import type { JobSpec } from '@aiplat/api';
import type { ManifestOptions, ObjectMeta } from './common.js';

/*
 * What names a job's objects and says whose they are: the object name, the platform's labels and
 * annotations, the spec hash and the Kueue queue and priority class labels.
 */

export const LABEL_PREFIX = 'aiplat.io';
export const LABELS = {
  jobId: `${LABEL_PREFIX}/job-id`,
  user: `${LABEL_PREFIX}/user`,
  specHash: `${LABEL_PREFIX}/spec-hash`,
  managedBy: 'app.kubernetes.io/managed-by',
  queueName: 'kueue.x-k8s.io/queue-name',
  priorityClass: 'kueue.x-k8s.io/priority-class',
} as const;
export const MANAGED_BY = 'aiplat';

/** Longest object name: leaves room for the suffixes operators add (`-node-0-0`, `-launcher`, `-worker-12`). */
export const MAX_OBJECT_NAME = 40;

function shortHash(text: string, chars = 8): string {
  return createHash('sha256').update(text).digest('hex').slice(0, chars);
}

/**
 * A DNS-1123 label from the job id: lowercase letters, digits and `-`, starting with a letter, at
 * most MAX_OBJECT_NAME characters. When the id had to change (case, `_`, `.`, length), a hash of the
 * id is appended so two ids never share a name.
 */
export function objectName(jobId: string): string {
  let name = jobId
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '');
  if (name === jobId && name.length <= MAX_OBJECT_NAME) return name;
  const suffix = shortHash(jobId);
  name = name.slice(0, MAX_OBJECT_NAME - suffix.length - 1).replace(/-+$/, '');
  return name ? `${name}-${suffix}` : `job-${suffix}`;
}

/** A valid label value (≤63 of [A-Za-z0-9_.-], alphanumeric at both ends), hashed when it had to change. */
export function labelValue(text: string): string {
  const cleaned = text
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .replace(/[^A-Za-z0-9]+$/, '');
  if (cleaned === text && cleaned.length <= 63) return cleaned;
  const suffix = shortHash(text);
  const head = cleaned.slice(0, 63 - suffix.length - 1).replace(/[^A-Za-z0-9]+$/, '');
  return head ? `${head}-${suffix}` : suffix;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** 16 hex characters of the SHA-256 of the spec as canonical JSON (key order does not matter). */
export function specHash(spec: object): string {
  return shortHash(canonicalJson(spec), 16);
}

/** The Kueue WorkloadPriorityClass of a priority: p0 (highest) .. p9. */
export function priorityClassName(priority: number): string {
  return `p${priority}`;
}

/** Labels of the top-level object: platform identity plus the Kueue queue and priority class. */
export function jobLabels(spec: JobSpec, options: ManifestOptions): Record<string, string> {
  return {
    ...podLabels(spec, options),
    [LABELS.queueName]: options.localQueue ?? spec.queue,
    [LABELS.priorityClass]: priorityClassName(spec.priority),
  };
}

/** Labels of pods and other child objects: platform identity only (Kueue reads the top object). */
export function podLabels(spec: JobSpec, options: ManifestOptions): Record<string, string> {
  return {
    [LABELS.managedBy]: MANAGED_BY,
    [LABELS.jobId]: labelValue(options.jobId),
    [LABELS.user]: labelValue(options.user),
    [LABELS.specHash]: specHash(spec),
  };
}

/** Annotations carry the exact job id and user (labels may have had to shorten them). */
export function jobAnnotations(spec: JobSpec, options: ManifestOptions): Record<string, string> {
  return {
    [LABELS.jobId]: options.jobId,
    [LABELS.user]: options.user,
    [LABELS.specHash]: specHash(spec),
  };
}

export function jobMetadata(spec: JobSpec, options: ManifestOptions): ObjectMeta {
  return {
    name: objectName(options.jobId),
    namespace: options.namespace,
    labels: jobLabels(spec, options),
    annotations: jobAnnotations(spec, options),
  };
}
