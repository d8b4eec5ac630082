import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { KubeConfig } from '@kubernetes/client-node';
import { Discovery } from './discovery.js';
import { isRecord, type KubeObject } from './kubeObject.js';
import { ObjectLifecycle } from './lifecycle.js';
import { ApiError, failure } from './apiErrors.js';
import { PodExecs, type ExecRecord, type ExecRunner } from './podExec.js';
import { PodLogs } from './podLogs.js';
import { Registry, type PropagationPolicy } from './registry.js';
import { METRICS_GROUP, ResourceTypes, type ResourceSelection } from './resources.js';
import { bookmark, Router, type InjectedFailure, type OpenWatch, type RecordedRequest } from './routes.js';

/*
 * An in-process Kubernetes API server for tests, spoken to by the real @kubernetes/client-node over
 * plain HTTP on 127.0.0.1. Tests script it as controllers and kubelets would (apply, setStatus,
 * appendLog), break it as networks do (dropWatches, compact, failNext) and read what clients asked
 * (requests). fakeApiServer.test.ts shows what client-node 1.4.0 makes of each.
 */

export type { KubeObject, ObjectMeta, OwnerReference } from './kubeObject.js';
export type { RecordedRequest } from './routes.js';
export type { ExecCommand, ExecRecord, ExecRequest, ExecRunner } from './podExec.js';
export type { ResourceSelection } from './resources.js';

export interface FakeApiServerOptions extends ResourceSelection {
  /** Namespaces that exist from the start (a REST create elsewhere is a 404); default `default`, `kube-system`. */
  namespaces?: string[];
}

export interface ContainerMetrics {
  name: string;
  usage: { cpu: string; memory: string };
}

export class FakeApiServer {
  /** Every request received, in order. */
  readonly requests: RecordedRequest[] = [];
  private readonly failures: InjectedFailure[] = [];
  private readonly watches = new Set<OpenWatch>();
  private readonly follows = new Set<ServerResponse>();
  private readonly registry = new Registry();
  private readonly podLogs = new PodLogs();
  private readonly podExecs = new PodExecs();
  private readonly lifecycle: ObjectLifecycle;
  private server: Server | undefined;

  private constructor(private readonly types: ResourceTypes) {
    this.lifecycle = new ObjectLifecycle(this.registry, types);
  }

  static async start(options: FakeApiServerOptions = {}): Promise<FakeApiServer> {
    const fake = new FakeApiServer(new ResourceTypes(options));
    for (const name of options.namespaces ?? ['default', 'kube-system']) {
      fake.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    }
    fake.forgetLogsOfDeletedPods();
    const router = new Router({
      types: fake.types,
      discovery: new Discovery(fake.types, () => new URL(fake.url).host),
      registry: fake.registry,
      lifecycle: fake.lifecycle,
      podLogs: fake.podLogs,
      requests: fake.requests,
      failures: fake.failures,
      watches: fake.watches,
      follows: fake.follows,
    });
    const server = createServer((request, response) => void router.handle(request, response));
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) =>
      fake.upgrade(request, socket, head),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake.server = server;
    return fake;
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error('the fake API server is not listening');
    return `http://127.0.0.1:${address.port}`;
  }

  /** A KubeConfig for the real client. client-node allows plain http only with skipTLSVerify. */
  kubeConfig(namespace = 'default'): KubeConfig {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'fake', server: this.url, skipTLSVerify: true }],
      users: [{ name: 'fake', token: 'fake-token' }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'fake', namespace }],
      currentContext: 'fake',
    });
    return kubeConfig;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const { response } of this.watches) response.end();
    for (const response of this.follows) response.end();
    this.podExecs.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The current resourceVersion, one counter across all kinds. */
  get resourceVersion(): string {
    return this.registry.resourceVersion;
  }

  /** Watches open now (an informer is watching once this counts it). */
  get openWatches(): number {
    return this.watches.size;
  }

  /** Creates or replaces any served object as a controller would: not validated, status kept unless given. */
  apply(object: KubeObject): KubeObject {
    return this.lifecycle.apply(object);
  }

  /** Sets the status of an existing object, as its controller would. */
  setStatus(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
    status: unknown,
  ): KubeObject {
    const type = this.lifecycle.typeOf(apiVersion, kind);
    return this.lifecycle.replace(
      type,
      namespace,
      name,
      { apiVersion, kind, metadata: { name }, status },
      { status: true },
    );
  }

  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const type = this.lifecycle.typeOf(apiVersion, kind);
    return this.registry.get(type, type.namespaced ? namespace : undefined, name);
  }

  list(apiVersion: string, kind: string, namespace?: string): KubeObject[] {
    return this.registry.list(this.lifecycle.typeOf(apiVersion, kind), namespace);
  }

  /** Deletes an object and, as the garbage collector would, its dependents. False if there was none. */
  delete(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
    propagation?: PropagationPolicy,
  ): boolean {
    const type = this.lifecycle.typeOf(apiVersion, kind);
    return this.registry.remove(type, type.namespaced ? namespace : undefined, name, propagation) !== undefined;
  }

  /** Appends to a container's log (the pod's only container unless named); followers get it at once. */
  appendLog(namespace: string, pod: string, text: string, container?: string): void {
    this.podLogs.append(namespace, pod, this.containerOf(namespace, pod, container), text);
  }

  /** Ends a container's log, as when the container exits: followed responses end. */
  endLog(namespace: string, pod: string, container?: string): void {
    this.podLogs.end(namespace, pod, this.containerOf(namespace, pod, container));
  }

  /**
   * Cuts every followed pod log connection mid-body, as a dropped network does: the chunked body
   * never ends, so a client sees a broken response rather than the end of the log.
   */
  breakLogStreams(): number {
    const count = this.follows.size;
    for (const response of this.follows) response.socket?.destroy();
    return count;
  }

  /** Destroys every open watch connection mid-stream, as a load balancer or a restarted server would. */
  dropWatches(): number {
    const count = this.watches.size;
    for (const { response } of this.watches) response.socket?.destroy();
    this.watches.clear();
    return count;
  }

  /** Ends every open watch normally, as a real server does when a watch's timeout passes. */
  endWatches(): number {
    const count = this.watches.size;
    for (const { response } of this.watches) response.end();
    this.watches.clear();
    return count;
  }

  /** Sends a BOOKMARK on every open watch that allowed them. */
  sendBookmarks(): void {
    for (const { response, resource, bookmarks } of this.watches) {
      if (bookmarks) response.write(`${JSON.stringify(bookmark(resource, this.registry.resourceVersion))}\n`);
    }
  }

  /** Forgets the history, as etcd compaction does: a watch from any older resourceVersion gets 410 Expired. */
  compact(): void {
    this.registry.compact();
  }

  /** Sets what metrics-server reports for a pod (needs `podMetrics: true`), under the pod's labels as metrics-server copies them. */
  setPodMetrics(namespace: string, pod: string, containers: ContainerMetrics[]): KubeObject {
    const timestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const labels = this.get('v1', 'Pod', namespace, pod)?.metadata.labels;
    return this.apply({
      apiVersion: `${METRICS_GROUP}/v1beta1`,
      kind: 'PodMetrics',
      metadata: { name: pod, namespace, ...(labels ? { labels: { ...labels } } : {}) },
      timestamp,
      window: '30s',
      containers,
    });
  }

  /**
   * How `pods/<name>/exec` runs a command: the container's argv mapped to a command on this machine
   * (there is no container; see podExec.ts). As-is unless set.
   */
  set execRunner(runner: ExecRunner) {
    this.podExecs.runner = runner;
  }

  /** Cuts every open exec connection mid-stream (no close frame, no Status); returns how many. */
  breakExecStreams(): number {
    return this.podExecs.breakAll();
  }

  /** Every exec the fake ran, in order, with its child process. */
  get execs(): readonly ExecRecord[] {
    return this.podExecs.records;
  }

  /** Answers the next `method` request (or '*') on `path` with a Status of `status`, once. */
  failNext(method: string, path: string | RegExp, status: number, message = 'injected failure'): void {
    this.failures.push({ method, path, status, message });
  }

  /** WebSocket upgrades: `pods/<name>/exec` only; the rest is refused as a real server would. */
  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? '/', 'http://fake');
    this.requests.push({ method: 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams) });
    socket.on('error', () => undefined);
    try {
      const match = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec$/.exec(url.pathname);
      if (!match) throw new ApiError(failure(404, 'the server could not find the requested resource'));
      const [namespace, name] = [decodeURIComponent(match[1]!), decodeURIComponent(match[2]!)];
      const injected = this.failures.findIndex(
        (f) =>
          (f.method === '*' || f.method.toUpperCase() === 'GET') &&
          (typeof f.path === 'string' ? f.path === url.pathname : f.path.test(url.pathname)),
      );
      if (injected >= 0) {
        const [failureOnce] = this.failures.splice(injected, 1);
        throw new ApiError(failure(failureOnce!.status, failureOnce!.message));
      }
      this.podExecs.upgrade(request, socket, head, {
        namespace,
        name,
        pod: this.get('v1', 'Pod', namespace, name),
        query: url.searchParams,
      });
    } catch (error) {
      const status =
        error instanceof ApiError ? error.status : failure(500, String((error as Error)?.message ?? error));
      const body = JSON.stringify(status);
      socket.end(
        `HTTP/1.1 ${status.code} ${status.reason ?? ''}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
  }

  private containerOf(namespace: string, pod: string, container: string | undefined): string {
    const object = this.get('v1', 'Pod', namespace, pod);
    if (!object) throw new Error(`no pod ${namespace}/${pod}`);
    if (container !== undefined) return container;
    const containers =
      isRecord(object.spec) && Array.isArray(object.spec.containers)
        ? (object.spec.containers as { name: string }[])
        : [];
    if (containers.length !== 1)
      throw new Error(`pod ${namespace}/${pod} has ${containers.length} containers: name one`);
    return containers[0]!.name;
  }

  private forgetLogsOfDeletedPods(): void {
    const pods = this.types.byKind('v1', 'Pod');
    if (!pods) return;
    this.registry.watch(
      { resource: pods, filter: () => true, resourceVersion: this.registry.resourceVersion },
      (event) => {
        const { metadata } = event.object as KubeObject;
        if (event.type === 'DELETED') this.podLogs.forgetPod(metadata.namespace ?? '', metadata.name ?? '');
      },
    );
  }
}
