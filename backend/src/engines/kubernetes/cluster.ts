import { existsSync } from 'node:fs';
import {
  ApiException,
  KubeConfig,
  KubernetesObjectApi,
  loadYaml,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';

/*
 * The cluster as the engine sees it: kubeconfig from the standard places, generic object calls
 * (any kind, found through discovery) and errors turned into sentences that say what to fix.
 */

export interface KubeConfigSource {
  /** A kubeconfig file; unset: in-cluster service account, then $KUBECONFIG, then ~/.kube/config. */
  kubeconfig?: string;
  context?: string;
}

/** Loads the kubeconfig from the standard places; a clear error when there is none. */
export function loadKubeConfig(source: KubeConfigSource, env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const kc = new KubeConfig();
  if (source.kubeconfig !== undefined) {
    if (!existsSync(source.kubeconfig)) {
      throw new Error(`kubernetes.kubeconfig ${source.kubeconfig} does not exist; point it at a kubeconfig file`);
    }
    kc.loadFromFile(source.kubeconfig);
  } else {
    const inCluster =
      env.KUBERNETES_SERVICE_HOST !== undefined && existsSync('/var/run/secrets/kubernetes.io/serviceaccount/token');
    const home = env.HOME ?? '';
    const files = (env.KUBECONFIG ?? '').split(':').filter(Boolean);
    if (!inCluster && !files.some((f) => existsSync(f)) && !existsSync(`${home}/.kube/config`)) {
      throw new Error(
        'no Kubernetes cluster configured: run the backend in a cluster (service account), set KUBECONFIG, ' +
          'create ~/.kube/config, or set kubernetes.kubeconfig in the backend config',
      );
    }
    kc.loadFromDefault();
  }
  if (source.context !== undefined) {
    if (!kc.getContextObject(source.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new Error(
        `kubernetes.context ${source.context} is not in the kubeconfig (it has ${known.join(', ') || 'none'})`,
      );
    }
    kc.setCurrentContext(source.context);
  }
  if (!kc.getCurrentCluster()) throw new Error('the kubeconfig names no current cluster; set kubernetes.context');
  return kc;
}

/** The HTTP status of a failed cluster call, when it got that far. */
export function statusCode(error: unknown): number | undefined {
  if (error instanceof ApiException) return error.code;
  // The client's watch reports a refused request as an Error with `statusCode`.
  const { code, statusCode } = (error ?? {}) as { code?: unknown; statusCode?: unknown };
  if (typeof code === 'number') return code;
  return typeof statusCode === 'number' ? statusCode : undefined;
}

/** The API server's own message of a failed call (its Status body), else the error's. */
export function clusterMessage(error: unknown): string {
  if (error instanceof ApiException) {
    const body: unknown = error.body;
    let parsed: unknown = body;
    if (typeof body === 'string') {
      try {
        parsed = JSON.parse(body);
      } catch {
        return body || `HTTP ${error.code}`;
      }
    }
    const message = (parsed as { message?: unknown } | undefined)?.message;
    return typeof message === 'string' && message ? message : `HTTP ${error.code}`;
  }
  return error instanceof Error ? error.message : String(error);
}

export interface ApiResourceRef {
  apiVersion: string;
  kind: string;
}

/** The client's generic object API, with its discovery lookup made public. */
class ObjectApi extends KubernetesObjectApi {
  static forConfig(kc: KubeConfig): ObjectApi {
    const api = kc.makeApiClient(ObjectApi);
    api.setDefaultNamespace(kc);
    return api;
  }

  findResource(apiVersion: string, kind: string): Promise<{ name: string; namespaced: boolean } | undefined> {
    return this.resource(apiVersion, kind);
  }
}

/**
 * An object as the client library's typed models hold it. The library sends the kinds it knows
 * through those models, whose attributes are renamed where the JSON name is a reserved word
 * (`from` is `_from`): a plain object's `from` is dropped without a word, and a NetworkPolicy rule
 * without it admits every pod. Reading the object the way the library reads YAML renames them.
 */
export function asClientModel<T extends object>(object: T): T {
  return loadYaml<T>(JSON.stringify(object));
}

/** Generic calls on any kind the cluster serves. */
export class KubeCluster {
  readonly objects: ObjectApi;

  constructor(readonly kc: KubeConfig) {
    this.objects = ObjectApi.forConfig(kc);
  }

  get server(): string {
    return this.kc.getCurrentCluster()?.server ?? 'the cluster';
  }

  /** Whether the cluster serves `kind` at `apiVersion` (false for a missing group, version or kind). */
  async serves(ref: ApiResourceRef): Promise<boolean> {
    try {
      return (await this.objects.findResource(ref.apiVersion, ref.kind)) !== undefined;
    } catch (error) {
      if (statusCode(error) === 404) return false;
      throw error;
    }
  }

  create<T extends KubernetesObject>(object: T, options: { dryRun?: boolean } = {}): Promise<T> {
    return this.objects.create(asClientModel(object), undefined, options.dryRun ? 'All' : undefined, 'aiplat');
  }

  /** Deletes an object and, in the background, what it owns; false when it was already gone. */
  async delete(object: KubernetesObject, options: { force?: boolean } = {}): Promise<boolean> {
    try {
      await this.objects.delete(object, undefined, undefined, options.force ? 0 : undefined, undefined, 'Background');
      return true;
    } catch (error) {
      if (statusCode(error) === 404) return false;
      throw error;
    }
  }

  async read<T extends KubernetesObject>(object: KubernetesObject): Promise<T | undefined> {
    try {
      return (await this.objects.read(object as never)) as T;
    } catch (error) {
      if (statusCode(error) === 404) return undefined;
      throw error;
    }
  }

  list<T extends KubernetesObject>(
    ref: ApiResourceRef,
    options: { namespace?: string; labelSelector?: string; fieldSelector?: string } = {},
  ): Promise<KubernetesListObject<T>> {
    return this.objects.list<T>(
      ref.apiVersion,
      ref.kind,
      options.namespace,
      undefined,
      undefined,
      undefined,
      options.fieldSelector,
      options.labelSelector,
    );
  }
}
