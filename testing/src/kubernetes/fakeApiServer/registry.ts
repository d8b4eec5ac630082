import { apiErrors } from './apiErrors.js';
import type { KubeObject } from './kubeObject.js';
import type { ResourceType } from './resources.js';
import type { ObjectFilter } from './selectors.js';

/*
 * The store behind the fake: objects per resource type, one resourceVersion counter across all
 * kinds (as etcd's revision), the history of changes a watch can resume from, and the fan-out of
 * each change to the open watches. It stores what it is given; REST semantics live in lifecycle.ts.
 */

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent {
  type: WatchEventType;
  object: unknown;
}

interface Change {
  revision: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  resource: ResourceType;
  object: KubeObject;
  previous?: KubeObject;
}

export interface WatchRequest {
  resource: ResourceType;
  /** Only this namespace; undefined for all. */
  namespace?: string;
  filter: ObjectFilter;
  /** Changes after this one; '' or '0' to start with the current objects as ADDED events. */
  resourceVersion?: string;
}

interface Watcher {
  request: WatchRequest;
  send(event: WatchEvent): void;
}

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

function keyOf(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

export class Registry {
  private revision = 0;
  /** Watches from a resourceVersion before this one get 410 Expired. */
  private compactedAt = 0;
  private history: Change[] = [];
  private readonly objects = new Map<ResourceType, Map<string, KubeObject>>();
  private readonly watchers = new Set<Watcher>();

  get resourceVersion(): string {
    return String(this.revision);
  }

  get(resource: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const object = this.objects.get(resource)?.get(keyOf(namespace, name));
    return object && structuredClone(object);
  }

  /** Copies of the objects of `resource` (in `namespace` if given) that pass `filter`, by namespace and name. */
  list(resource: ResourceType, namespace?: string, filter: ObjectFilter = () => true): KubeObject[] {
    const all = [...(this.objects.get(resource)?.entries() ?? [])].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return all
      .map(([, object]) => object)
      .filter((object) => (namespace === undefined || object.metadata.namespace === namespace) && filter(object))
      .map((object) => structuredClone(object));
  }

  /** Stores a copy of `object` under a new resourceVersion and tells the watches. */
  write(resource: ResourceType, object: KubeObject): KubeObject {
    const { namespace, name = '' } = object.metadata;
    let stored = this.objects.get(resource);
    if (!stored) this.objects.set(resource, (stored = new Map()));
    const previous = stored.get(keyOf(namespace, name));
    const next = structuredClone(object);
    next.metadata.resourceVersion = String(++this.revision);
    stored.set(keyOf(namespace, name), next);
    this.record({ revision: this.revision, type: previous ? 'MODIFIED' : 'ADDED', resource, object: next, previous });
    return structuredClone(next);
  }

  /**
   * Removes an object, then what the garbage collector would: everything in a deleted namespace and,
   * unless `propagation` is Orphan, every object whose ownerReferences name it (Orphan strips those
   * references instead). Returns the object as last seen, at the deletion's resourceVersion.
   */
  remove(
    resource: ResourceType,
    namespace: string | undefined,
    name: string,
    propagation: PropagationPolicy = 'Background',
  ): KubeObject | undefined {
    const stored = this.objects.get(resource);
    const object = stored?.get(keyOf(namespace, name));
    if (!stored || !object) return undefined;
    stored.delete(keyOf(namespace, name));
    const gone = { ...object, metadata: { ...object.metadata, resourceVersion: String(++this.revision) } };
    this.record({ revision: this.revision, type: 'DELETED', resource, object: gone });

    if (resource.kind === 'Namespace' && resource.group === '') {
      for (const [type, objects] of this.objects) {
        for (const inside of [...objects.values()].filter((o) => o.metadata.namespace === name)) {
          this.remove(type, name, inside.metadata.name ?? '');
        }
      }
    }
    for (const [type, dependent] of this.dependentsOf(object.metadata.uid)) {
      if (propagation === 'Orphan') {
        const references = dependent.metadata.ownerReferences?.filter((ref) => ref.uid !== object.metadata.uid);
        this.write(type, { ...dependent, metadata: { ...dependent.metadata, ownerReferences: references } });
      } else {
        this.remove(type, dependent.metadata.namespace, dependent.metadata.name ?? '');
      }
    }
    return structuredClone(gone);
  }

  private dependentsOf(uid: string | undefined): [ResourceType, KubeObject][] {
    if (uid === undefined) return [];
    const found: [ResourceType, KubeObject][] = [];
    for (const [type, objects] of this.objects) {
      for (const object of objects.values()) {
        if (object.metadata.ownerReferences?.some((ref) => ref.uid === uid)) found.push([type, object]);
      }
    }
    return found;
  }

  /**
   * Starts a watch: replays the changes after `request.resourceVersion` (or the current objects as
   * ADDED), then forwards new ones until the returned function is called. Throws 410 Expired when
   * that resourceVersion is older than the kept history.
   */
  watch(request: WatchRequest, send: (event: WatchEvent) => void): () => void {
    const watcher: Watcher = { request, send };
    const from = request.resourceVersion ?? '';
    if (from === '' || from === '0') {
      for (const object of this.list(request.resource, request.namespace, request.filter))
        send({ type: 'ADDED', object });
    } else {
      const revision = Number(from);
      if (!Number.isSafeInteger(revision) || revision < 0)
        throw apiErrors.badRequest(`invalid resource version: ${from}`);
      if (revision < this.compactedAt) {
        throw apiErrors.expired(`too old resource version: ${revision} (${this.compactedAt})`);
      }
      for (const change of this.history) if (change.revision > revision) this.deliver(change, watcher);
    }
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  /** Forgets the history: a watch from any resourceVersion before now gets 410 Expired. */
  compact(): void {
    this.compactedAt = this.revision;
    this.history = [];
  }

  private record(change: Change): void {
    this.history.push(change);
    for (const watcher of this.watchers) this.deliver(change, watcher);
  }

  /** As the real watch cache: an object that starts or stops matching is ADDED or DELETED for that watch. */
  private deliver(change: Change, { request, send }: Watcher): void {
    if (change.resource !== request.resource) return;
    const matches = (object: KubeObject | undefined) =>
      object !== undefined &&
      (request.namespace === undefined || object.metadata.namespace === request.namespace) &&
      request.filter(object);
    const now = matches(change.object);
    const before = change.type === 'MODIFIED' && matches(change.previous);
    let type: WatchEventType | undefined;
    if (change.type === 'MODIFIED') type = now && before ? 'MODIFIED' : now ? 'ADDED' : before ? 'DELETED' : undefined;
    else if (now) type = change.type;
    if (type) send({ type, object: structuredClone(change.object) });
  }
}
