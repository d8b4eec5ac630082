import { randomUUID } from 'node:crypto';
import { ApiError, apiErrors, failure } from './apiErrors.js';
import { deepEqual, isRecord, specOf, type KubeObject } from './kubeObject.js';
import { applyPatch } from './patch.js';
import type { PropagationPolicy, Registry } from './registry.js';
import { apiVersionOf, type ResourceType, type ResourceTypes } from './resources.js';
import { validate } from './validation.js';

/*
 * What the API server does to an object on create, update, patch and delete, over the Registry:
 * server-set metadata, generation, optimistic concurrency, the status subresource split, dry runs,
 * validation. Also the scripting upsert tests use to stand in for controllers.
 */

export interface WriteOptions {
  dryRun?: boolean;
  /** Writes through `/status`: only the status changes. */
  status?: boolean;
}

export interface DeleteOptions {
  dryRun?: boolean;
  propagationPolicy?: PropagationPolicy;
  preconditions?: { uid?: string; resourceVersion?: string };
}

const GENERATE_NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function generatedName(prefix: string): string {
  let suffix = '';
  for (let i = 0; i < 5; i++)
    suffix += GENERATE_NAME_ALPHABET[Math.floor(Math.random() * GENERATE_NAME_ALPHABET.length)];
  return prefix + suffix;
}

/** RFC 3339 to the second, as `metadata.creationTimestamp`. */
function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

/** What the real server sets on create instead of a client-sent status. */
function initialStatus(type: ResourceType): unknown {
  if (type.group !== '') return undefined;
  if (type.kind === 'Pod') return { phase: 'Pending', qosClass: 'BestEffort' };
  if (type.kind === 'Namespace') return { phase: 'Active' };
  return undefined;
}

/** As the real server stores a Secret: `stringData` merged into `data`, base64, and dropped. */
function secretStringDataToData(secret: KubeObject): void {
  const record = secret as KubeObject & { data?: Record<string, string>; stringData?: Record<string, string> };
  if (!record.stringData) return;
  record.data = { ...record.data };
  for (const [key, value] of Object.entries(record.stringData))
    record.data[key] = Buffer.from(value).toString('base64');
  delete record.stringData;
}

export class ObjectLifecycle {
  constructor(
    private readonly registry: Registry,
    private readonly types: ResourceTypes,
  ) {}

  create(type: ResourceType, namespace: string | undefined, body: unknown, options: WriteOptions = {}): KubeObject {
    const object = this.typed(type, body);
    const metadata = object.metadata;
    if (type.namespaced) {
      if (metadata.namespace !== undefined && metadata.namespace !== namespace) {
        throw apiErrors.badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      metadata.namespace = namespace;
      this.requireNamespace(namespace ?? '');
    } else {
      delete metadata.namespace;
    }
    if (!metadata.name && metadata.generateName) metadata.name = generatedName(metadata.generateName);
    delete metadata.resourceVersion;
    Object.assign(metadata, { uid: randomUUID(), creationTimestamp: now(), generation: 1 });
    if (type.hasStatus) {
      delete object.status;
      if (initialStatus(type) !== undefined) object.status = initialStatus(type);
    }
    this.requireValid(type, object);
    if (type.group === '' && type.kind === 'Secret') secretStringDataToData(object);
    if (this.registry.get(type, metadata.namespace, metadata.name ?? ''))
      throw apiErrors.alreadyExists(type, metadata.name ?? '');
    return options.dryRun ? object : this.registry.write(type, object);
  }

  replace(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    options: WriteOptions = {},
  ): KubeObject {
    const existing = this.existing(type, namespace, name);
    const incoming = this.typed(type, body);
    if (incoming.metadata.name !== undefined && incoming.metadata.name !== name) {
      throw apiErrors.badRequest(
        `the name of the object (${incoming.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    return this.update(type, existing, incoming, options);
  }

  patch(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    contentType: string,
    patch: unknown,
    options: WriteOptions = {},
  ): KubeObject {
    const existing = this.existing(type, namespace, name);
    const patched = applyPatch(existing, contentType, patch);
    if (!isRecord(patched) || !isRecord(patched.metadata)) {
      throw new ApiError(failure(422, 'the patched object is not a Kubernetes object', 'Invalid'));
    }
    return this.update(type, existing, this.typed(type, patched), options);
  }

  delete(type: ResourceType, namespace: string | undefined, name: string, options: DeleteOptions = {}): KubeObject {
    const existing = this.existing(type, namespace, name);
    const { uid, resourceVersion } = options.preconditions ?? {};
    if (uid !== undefined && uid !== existing.metadata.uid) {
      throw apiErrors.conflict(
        type,
        name,
        `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${existing.metadata.uid}`,
      );
    }
    if (resourceVersion !== undefined && resourceVersion !== existing.metadata.resourceVersion) {
      throw apiErrors.conflict(
        type,
        name,
        `Precondition failed: ResourceVersion in precondition: ${resourceVersion}, ResourceVersion in meta: ${existing.metadata.resourceVersion}`,
      );
    }
    if (options.dryRun) return existing;
    return this.registry.remove(type, namespace, name, options.propagationPolicy) ?? existing;
  }

  /**
   * Creates or replaces `object` as a controller would (no validation, status kept unless given),
   * creating its namespace if missing. For tests' scripting.
   */
  apply(object: KubeObject): KubeObject {
    const type = this.typeOf(object.apiVersion, object.kind);
    const next = this.typed(type, object);
    const { namespace, name = '' } = next.metadata;
    if (type.namespaced && namespace === undefined) throw new Error(`${object.kind} ${name} needs metadata.namespace`);
    if (!type.namespaced) delete next.metadata.namespace;
    const namespaces = this.types.byKind('v1', 'Namespace');
    if (type.namespaced && namespaces && !this.registry.get(namespaces, undefined, namespace ?? '')) {
      this.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    }
    const existing = this.registry.get(type, next.metadata.namespace, name);
    if (!existing) {
      Object.assign(next.metadata, { uid: next.metadata.uid ?? randomUUID(), creationTimestamp: now(), generation: 1 });
      if (next.status === undefined && initialStatus(type) !== undefined) next.status = initialStatus(type);
      return this.registry.write(type, next);
    }
    const { uid, creationTimestamp, generation = 1 } = existing.metadata;
    Object.assign(next.metadata, { uid, creationTimestamp, generation });
    if (!deepEqual(specOf(existing), specOf(next))) next.metadata.generation = generation + 1;
    if (next.status === undefined && existing.status !== undefined) next.status = existing.status;
    return this.registry.write(type, next);
  }

  /** The served type of `apiVersion` and `kind`, or an Error naming what is served. */
  typeOf(apiVersion: string, kind: string): ResourceType {
    const type = this.types.byKind(apiVersion, kind);
    if (!type) throw new Error(`the fake API server does not serve ${kind} ${apiVersion}`);
    return type;
  }

  private existing(type: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const existing = this.registry.get(type, type.namespaced ? namespace : undefined, name);
    if (!existing) throw apiErrors.notFound(type, name);
    return existing;
  }

  private requireNamespace(namespace: string): void {
    const namespaces = this.types.byKind('v1', 'Namespace');
    if (namespaces && !this.registry.get(namespaces, undefined, namespace))
      throw apiErrors.notFound(namespaces, namespace);
  }

  private requireValid(type: ResourceType, object: KubeObject): void {
    const causes = validate(type, object);
    if (causes.length > 0) throw apiErrors.invalid(type, object.metadata.name ?? '', causes);
  }

  /** A copy of `body` with apiVersion and kind filled in from the path; 400 if they name another type. */
  private typed(type: ResourceType, body: unknown): KubeObject {
    if (!isRecord(body)) throw apiErrors.badRequest('the body of the request is not a JSON object');
    const object = structuredClone(body);
    const apiVersion = object.apiVersion ?? apiVersionOf(type);
    const kind = object.kind ?? type.kind;
    if (apiVersion !== apiVersionOf(type) || kind !== type.kind) {
      throw apiErrors.badRequest(
        `the API version in the data (${String(apiVersion)}) does not match the expected API version (${apiVersionOf(type)}) or kind (${String(kind)})`,
      );
    }
    const metadata = isRecord(object.metadata) ? object.metadata : {};
    return { ...object, apiVersion, kind: type.kind, metadata };
  }

  /** The update path shared by PUT and PATCH, on the main resource or on /status. */
  private update(type: ResourceType, existing: KubeObject, incoming: KubeObject, options: WriteOptions): KubeObject {
    const current = existing.metadata.resourceVersion;
    const expected = incoming.metadata.resourceVersion;
    if (expected !== undefined && expected !== '' && expected !== current)
      throw apiErrors.conflict(type, existing.metadata.name ?? '');

    let next: KubeObject;
    if (options.status) {
      next = { ...existing, status: incoming.status };
      if (incoming.status === undefined) delete next.status;
    } else {
      const { name, namespace, uid, creationTimestamp, generation } = existing.metadata;
      next = {
        ...incoming,
        metadata: {
          ...incoming.metadata,
          name,
          namespace,
          uid,
          creationTimestamp,
          generation,
          resourceVersion: current,
        },
      };
      if (!type.namespaced) delete next.metadata.namespace;
      if (type.hasStatus) {
        if (existing.status === undefined) delete next.status;
        else next.status = existing.status;
      }
    }
    next.metadata.resourceVersion = current;
    if (!deepEqual(specOf(existing), specOf(next))) next.metadata.generation = (existing.metadata.generation ?? 0) + 1;
    this.requireValid(type, next);
    // A write that changes nothing keeps the resourceVersion and tells no watch, as on a real server.
    if (deepEqual(existing, next) || options.dryRun) return next;
    return this.registry.write(type, next);
  }
}
