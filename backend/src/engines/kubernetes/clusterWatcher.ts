import { makeInformer, type Informer, type KubernetesObject, type ObjectCache } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { clusterMessage, statusCode, type KubeCluster } from './cluster.js';

/*
 * Informers over every kind the engine follows, cluster-wide (jobs live in per-user namespaces).
 * The client's informer lists, then watches from the list's resourceVersion, and re-lists when the
 * server answers 410 Gone; a watch that ends is resumed from the last resourceVersion seen. What it
 * does not do is retry after a failed request (a dropped connection, the API server restarting):
 * that is done here, with a growing delay.
 */

export interface WatchedKind {
  apiVersion: string;
  kind: string;
  /** The collection's cluster-wide path, e.g. `/apis/trainer.kubeflow.org/v1alpha1/trainjobs`. */
  path: string;
  labelSelector?: string;
}

export function collectionPath(apiVersion: string, plural: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}/${plural}` : `/api/${apiVersion}/${plural}`;
}

export type WatchChange = 'add' | 'update' | 'delete';

export interface ClusterWatcherOptions {
  cluster: KubeCluster;
  kinds: readonly WatchedKind[];
  onChange: (kind: string, object: KubernetesObject, change: WatchChange) => void;
  /** Called after every (re-)list: the caches may have changed wholesale. */
  onResync?: (kind: string) => void;
  log: Logger;
  retryMs?: { first: number; max: number };
}

interface Watched {
  spec: WatchedKind;
  informer: Informer<KubernetesObject> & ObjectCache<KubernetesObject>;
  delayMs: number;
  timer?: NodeJS.Timeout;
  synced: boolean;
  failures: number;
  /** The last failure to list or watch, until a list succeeds or an event arrives. */
  failure?: WatchFailure;
}

export interface WatchFailure {
  /** The API server's status code (403, 404, …); undefined for a connection that failed. */
  code?: number;
  message: string;
  /** When this run of failures began (Date.now()). */
  since: number;
}

export class ClusterWatcher {
  private readonly watched = new Map<string, Watched>();
  private stopped = false;
  private readonly retry: { first: number; max: number };

  constructor(private readonly options: ClusterWatcherOptions) {
    this.retry = options.retryMs ?? { first: 500, max: 30_000 };
    for (const spec of options.kinds) {
      const informer = makeInformer<KubernetesObject>(
        options.cluster.kc,
        spec.path,
        async () => {
          const list = await options.cluster.list(
            spec,
            spec.labelSelector !== undefined ? { labelSelector: spec.labelSelector } : {},
          );
          delete watched.failure;
          return list;
        },
        spec.labelSelector,
      );
      const watched: Watched = { spec, informer, delayMs: this.retry.first, synced: false, failures: 0 };
      const changed = (change: WatchChange) => (object: KubernetesObject) => {
        delete watched.failure;
        options.onChange(spec.kind, object, change);
      };
      informer.on('add', changed('add'));
      informer.on('update', changed('update'));
      informer.on('delete', changed('delete'));
      informer.on('connect', () => {
        watched.delayMs = this.retry.first;
      });
      informer.on('error', (error: unknown) => {
        watched.failures++;
        watched.failure = failureAfter(watched.failure, error);
        this.restartLater(watched, error);
      });
      this.watched.set(spec.kind, watched);
    }
  }

  /** Starts every informer; resolves once each has listed (or failed to, and will retry). */
  async start(): Promise<void> {
    await Promise.all([...this.watched.values()].map((w) => this.startOne(w)));
  }

  private async startOne(watched: Watched): Promise<void> {
    const failures = watched.failures;
    try {
      // The informer reports a failed list through its error callback, not by rejecting.
      await watched.informer.start();
      if (watched.failures !== failures) return;
      watched.synced = true;
      this.options.onResync?.(watched.spec.kind);
    } catch (error) {
      watched.failures++;
      watched.failure = failureAfter(watched.failure, error);
      this.restartLater(watched, error);
    }
  }

  private restartLater(watched: Watched, error: unknown): void {
    if (this.stopped || watched.timer) return;
    this.options.log.warn(
      { kind: watched.spec.kind, err: error, retryInMs: watched.delayMs },
      'watch failed; listing and watching again shortly',
    );
    watched.timer = setTimeout(() => {
      watched.timer = undefined;
      if (!this.stopped) void this.startOne(watched);
    }, watched.delayMs);
    watched.timer.unref();
    watched.delayMs = Math.min(watched.delayMs * 2, this.retry.max);
  }

  /** Why the informer of `kind` could not list or watch the last time it tried, while that lasts. */
  failure(kind: string): WatchFailure | undefined {
    return this.watched.get(kind)?.failure;
  }

  /** What the informer of `kind` holds now (every namespace). */
  list<T extends KubernetesObject>(kind: string): T[] {
    return (this.watched.get(kind)?.informer.list() ?? []) as T[];
  }

  get<T extends KubernetesObject>(kind: string, namespace: string, name: string): T | undefined {
    return this.watched.get(kind)?.informer.get(name, namespace) as T | undefined;
  }

  /** Whether every informer has listed at least once. */
  get synced(): boolean {
    return [...this.watched.values()].every((w) => w.synced);
  }

  watches(kind: string): boolean {
    return this.watched.has(kind);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const watched of this.watched.values()) {
      clearTimeout(watched.timer);
      await watched.informer.stop();
    }
  }
}

/** The failure `error` makes, in the run of failures `previous` began (if any). */
function failureAfter(previous: WatchFailure | undefined, error: unknown): WatchFailure {
  return { code: statusCode(error), message: clusterMessage(error), since: previous?.since ?? Date.now() };
}
