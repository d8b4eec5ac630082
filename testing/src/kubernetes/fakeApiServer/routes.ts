import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, apiErrors, failure } from './apiErrors.js';
import type { Discovery } from './discovery.js';
import type { KubeObject } from './kubeObject.js';
import { isRecord } from './kubeObject.js';
import type { DeleteOptions, ObjectLifecycle } from './lifecycle.js';
import { logContainer, type PodLogs } from './podLogs.js';
import type { PropagationPolicy, Registry, WatchEvent } from './registry.js';
import { apiVersionOf, type ResourceType, type ResourceTypes } from './resources.js';
import { fieldSelector, labelSelector, type ObjectFilter } from './selectors.js';

/*
 * HTTP dispatch: turns a request path into discovery, a resource collection, an object or one of
 * its subresources, and a method into the matching operation; answers errors with Status objects.
 */

export interface RecordedRequest {
  method: string;
  /** The path without the query. */
  path: string;
  query: Record<string, string>;
  contentType?: string;
}

export interface InjectedFailure {
  method: string;
  /** An exact path, or a pattern tested against the path. */
  path: string | RegExp;
  status: number;
  message: string;
}

/** An open watch response, for dropWatches() and bookmarks. */
export interface OpenWatch {
  response: ServerResponse;
  resource: ResourceType;
  bookmarks: boolean;
}

export interface RouterDependencies {
  types: ResourceTypes;
  discovery: Discovery;
  registry: Registry;
  lifecycle: ObjectLifecycle;
  podLogs: PodLogs;
  requests: RecordedRequest[];
  failures: InjectedFailure[];
  watches: Set<OpenWatch>;
  /** Followed log responses, ended on close(). */
  follows: Set<ServerResponse>;
}

interface ResourcePath {
  type: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
}

type Query = Record<string, string>;

function sendJson(response: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw apiErrors.badRequest(`couldn't get version/kind; json parse error: ${(error as Error).message}`);
  }
}

function isTrue(value: string | undefined): boolean {
  return value === 'true' || value === '1';
}

function integer(query: Query, key: string): number | undefined {
  const value = query[key];
  if (value === undefined || value === '') return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed)) throw apiErrors.badRequest(`invalid ${key}: ${value}`);
  return parsed;
}

/** Items of built-in kinds come without apiVersion and kind in a list, as from a real server. */
function listItem(type: ResourceType, object: KubeObject): unknown {
  if (!type.builtIn) return object;
  const { apiVersion: _apiVersion, kind: _kind, ...rest } = object;
  return rest;
}

export class Router {
  constructor(private readonly deps: RouterDependencies) {}

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://fake');
    const method = (request.method ?? 'GET').toUpperCase();
    const query: Query = Object.fromEntries(url.searchParams);
    const contentType = request.headers['content-type']?.split(';')[0]?.trim();
    this.deps.requests.push({ method, path: url.pathname, query, ...(contentType ? { contentType } : {}) });
    try {
      const injected = this.takeFailure(method, url.pathname);
      if (injected) throw new ApiError(failure(injected.status, injected.message));
      await this.route(method, url.pathname, query, request, response, contentType ?? '');
    } catch (error) {
      const status =
        error instanceof ApiError ? error.status : failure(500, String((error as Error)?.message ?? error));
      if (response.headersSent) response.destroy();
      else sendJson(response, status.code, status);
    }
  }

  private takeFailure(method: string, path: string): InjectedFailure | undefined {
    const index = this.deps.failures.findIndex(
      (f) =>
        (f.method === '*' || f.method.toUpperCase() === method) &&
        (typeof f.path === 'string' ? f.path === path : f.path.test(path)),
    );
    return index < 0 ? undefined : this.deps.failures.splice(index, 1)[0];
  }

  private async route(
    method: string,
    pathname: string,
    query: Query,
    request: IncomingMessage,
    response: ServerResponse,
    contentType: string,
  ): Promise<void> {
    const [root, ...after] = pathname.split('/').filter(Boolean);
    const { discovery } = this.deps;
    let document: unknown;
    let [group, version, rest]: [string, string, string[]] = ['', '', []];
    if (root === 'version' && after.length === 0) {
      document = { major: '1', minor: '35', gitVersion: 'v1.35.0-fake', platform: 'linux/amd64' };
    } else if (root === 'api') {
      [version = '', ...rest] = after;
      if (after.length === 0) document = discovery.coreVersions();
      else if (after.length === 1) document = discovery.resourceList('', version);
    } else if (root === 'apis') {
      [group = '', version = '', ...rest] = after;
      if (after.length === 0) document = discovery.groupList();
      else if (after.length === 1) document = discovery.group(group);
      else if (after.length === 2) document = discovery.resourceList(group, version);
    }
    if (document !== undefined) {
      if (method !== 'GET') throw apiErrors.methodNotAllowed();
      sendJson(response, 200, document);
      return;
    }
    const path = rest.length > 0 ? this.resourcePath(group, version, rest) : undefined;
    if (!path) throw apiErrors.pathNotFound();
    await this.dispatch(method, path, query, request, response, contentType);
  }

  /** `[namespaces, <ns>,] <plural> [, <name> [, <subresource>]]` in a group version. */
  private resourcePath(group: string, version: string, rest: string[]): ResourcePath | undefined {
    const { types } = this.deps;
    const namespaced =
      rest[0] === 'namespaces' && rest.length >= 3 && types.byPlural(group, version, rest[2]!) !== undefined;
    const [namespace, plural, name, subresource, extra] = namespaced ? rest.slice(1) : [undefined, ...rest];
    const type = types.byPlural(group, version, plural ?? '');
    if (
      !type ||
      extra !== undefined ||
      (namespaced && !type.namespaced) ||
      (type.namespaced && !namespaced && name !== undefined)
    ) {
      return undefined;
    }
    const served =
      subresource === undefined ||
      (subresource === 'status' && type.hasStatus) ||
      (subresource === 'log' && type.kind === 'Pod' && group === '');
    return served ? { type, namespace, name, subresource } : undefined;
  }

  private async dispatch(
    method: string,
    path: ResourcePath,
    query: Query,
    request: IncomingMessage,
    response: ServerResponse,
    contentType: string,
  ): Promise<void> {
    const { registry, lifecycle } = this.deps;
    const { type, namespace, name, subresource } = path;
    const dryRun = query.dryRun === 'All';
    const writable = !type.readOnly;

    if (name === undefined) {
      if (method === 'GET' && isTrue(query.watch)) return this.watch(path, query, response);
      if (method === 'GET') return sendJson(response, 200, this.list(path, query));
      if (method === 'POST' && writable && (namespace !== undefined || !type.namespaced)) {
        return sendJson(response, 201, lifecycle.create(type, namespace, await readBody(request), { dryRun }));
      }
      if (method === 'DELETE' && writable)
        return sendJson(response, 200, this.deleteCollection(path, query, await readBody(request)));
      throw apiErrors.methodNotAllowed();
    }
    if (subresource === 'log') {
      if (method !== 'GET') throw apiErrors.methodNotAllowed();
      return this.podLog(path, query, response);
    }
    const status = subresource === 'status';
    switch (method) {
      case 'GET': {
        const object = registry.get(type, namespace, name);
        if (!object) throw apiErrors.notFound(type, name);
        return sendJson(response, 200, object);
      }
      case 'PUT':
        if (!writable) break;
        return sendJson(
          response,
          200,
          lifecycle.replace(type, namespace, name, await readBody(request), { dryRun, status }),
        );
      case 'PATCH':
        if (!writable) break;
        return sendJson(
          response,
          200,
          lifecycle.patch(type, namespace, name, contentType, await readBody(request), { dryRun, status }),
        );
      case 'DELETE': {
        if (!writable || status) break;
        const deleted = lifecycle.delete(type, namespace, name, this.deleteOptions(query, await readBody(request)));
        return sendJson(response, 200, type.deleteReturnsObject ? deleted : this.deletedStatus(type, deleted));
      }
    }
    throw apiErrors.methodNotAllowed();
  }

  private filterOf(type: ResourceType, query: Query): ObjectFilter {
    const labels = labelSelector(query.labelSelector);
    const fields = fieldSelector(query.fieldSelector, type.kind);
    return (object) => labels(object) && fields(object);
  }

  private list({ type, namespace }: ResourcePath, query: Query) {
    return this.listDocument(type, this.deps.registry.list(type, namespace, this.filterOf(type, query)));
  }

  private listDocument(type: ResourceType, items: KubeObject[]) {
    return {
      apiVersion: apiVersionOf(type),
      kind: `${type.kind}List`,
      metadata: { resourceVersion: this.deps.registry.resourceVersion },
      items: items.map((item) => listItem(type, item)),
    };
  }

  private deleteOptions(query: Query, body: unknown): DeleteOptions {
    const options = isRecord(body) ? body : {};
    const policy = query.propagationPolicy ?? options.propagationPolicy;
    const orphan = isTrue(query.orphanDependents) || options.orphanDependents === true;
    const dryRun = query.dryRun === 'All' || (Array.isArray(options.dryRun) && options.dryRun.includes('All'));
    // gracePeriodSeconds is accepted and ignored: there is no kubelet, so everything goes at once.
    integer(query, 'gracePeriodSeconds');
    return {
      dryRun,
      propagationPolicy: orphan ? 'Orphan' : (policy as PropagationPolicy | undefined),
      preconditions: isRecord(options.preconditions)
        ? (options.preconditions as DeleteOptions['preconditions'])
        : undefined,
    };
  }

  private deletedStatus(type: ResourceType, deleted: KubeObject) {
    const details = {
      name: deleted.metadata.name,
      ...(type.group ? { group: type.group } : {}),
      kind: type.plural,
      uid: deleted.metadata.uid,
    };
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details };
  }

  private deleteCollection(path: ResourcePath, query: Query, body: unknown) {
    const { type, namespace } = path;
    const options = this.deleteOptions(query, body);
    const deleted = this.deps.registry
      .list(type, namespace, this.filterOf(type, query))
      .map((object) =>
        this.deps.lifecycle.delete(type, object.metadata.namespace, object.metadata.name ?? '', options),
      );
    return this.listDocument(type, deleted);
  }

  private watch({ type, namespace }: ResourcePath, query: Query, response: ServerResponse): void {
    const { registry, watches } = this.deps;
    const begin = () => {
      if (!response.headersSent)
        response.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    };
    const send = (event: WatchEvent) => {
      begin();
      response.write(`${JSON.stringify(event)}\n`);
    };
    let stop: () => void;
    try {
      stop = registry.watch(
        { resource: type, namespace, filter: this.filterOf(type, query), resourceVersion: query.resourceVersion },
        send,
      );
    } catch (error) {
      // A real server answers a too old resourceVersion with 200 and an ERROR event, then ends.
      if (!(error instanceof ApiError) || error.status.code !== 410) throw error;
      send({ type: 'ERROR', object: error.status });
      response.end();
      return;
    }
    begin();
    response.flushHeaders();
    const open: OpenWatch = { response, resource: type, bookmarks: isTrue(query.allowWatchBookmarks) };
    watches.add(open);
    const timeout = integer(query, 'timeoutSeconds');
    const timer =
      timeout === undefined
        ? undefined
        : setTimeout(() => {
            if (open.bookmarks) send(bookmark(type, registry.resourceVersion));
            response.end();
          }, timeout * 1000);
    response.on('close', () => {
      stop();
      clearTimeout(timer);
      watches.delete(open);
    });
  }

  private podLog({ type, namespace, name = '' }: ResourcePath, query: Query, response: ServerResponse): void {
    const pod = this.deps.registry.get(type, namespace, name);
    if (!pod) throw apiErrors.notFound(type, name);
    const container = logContainer(pod, query.container);
    if (isTrue(query.previous))
      throw apiErrors.badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
    const logQuery = {
      follow: isTrue(query.follow),
      timestamps: isTrue(query.timestamps),
      sinceTime: query.sinceTime,
      sinceSeconds: integer(query, 'sinceSeconds'),
      tailLines: integer(query, 'tailLines'),
      limitBytes: integer(query, 'limitBytes'),
    };
    response.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
    response.flushHeaders();
    this.deps.follows.add(response);
    const stop = this.deps.podLogs.read(namespace ?? '', name, container, logQuery, {
      write: (text) => response.write(text),
      end: () => response.end(),
    });
    response.on('close', () => {
      stop();
      this.deps.follows.delete(response);
    });
  }
}

export function bookmark(type: ResourceType, resourceVersion: string): WatchEvent {
  return {
    type: 'BOOKMARK',
    object: { kind: type.kind, apiVersion: apiVersionOf(type), metadata: { resourceVersion } },
  };
}
