import {
  ApiError,
  type EventMessage,
  type JobLogsResponse,
  type LogLine,
  type Service,
  type ServiceReplica,
} from '@aiplat/api';
import { Signal } from '@lumino/signaling';
import { describe, expect, it, vi } from 'vitest';
import type { IConnectionModel } from '../../tokens.js';
import { logSourceKey, ServiceDetailModel } from './serviceDetailModel.js';

const line = (instance: number, seq: number, text: string): LogLine => ({
  instance,
  seq,
  time: '2026-12-06T19:44:00Z',
  stream: 'stdout',
  text,
});

const replica = (version: number, index: number): ServiceReplica => ({ index, version, state: 'Ready', restarts: 0 });

function service(version: number, replicas: ServiceReplica[]): Service {
  return {
    name: 'hello',
    owner: 'dev',
    tags: {},
    auth: ['token'],
    limits: { qpsPerReplica: 100, concurrencyPerReplica: 16, maxBodyBytes: 1024 * 1024, upstreamTimeoutSeconds: 60 },
    engine: 'local',
    queue: 'default',
    priority: 5,
    state: 'Running',
    version,
    versions: [],
    replicas,
    createdAt: '2026-12-06T19:00:00Z',
    updatedAt: '2026-12-06T19:00:00Z',
    url: '/services/hello/',
  };
}

/** A page read the test answers when it wants, so batches can arrive while it is in flight. */
function pendingPage() {
  let answer: (page: JobLogsResponse) => void = () => undefined;
  const promise = new Promise<JobLogsResponse>((resolve) => (answer = resolve));
  return { promise, answer: (lines: LogLine[], nextCursor: string) => answer({ lines, nextCursor, more: false }) };
}

/**
 * A server with a socket that, like the real one, delivers a topic's events only to its
 * subscriptions still open; each log page is answered by the test.
 */
function fakeServer(first: Service) {
  const handlers = new Map<string, Set<(event: EventMessage) => void>>();
  const subscriptions: { topic: string; cursor: string | undefined }[] = [];
  const pages: ReturnType<typeof pendingPage>[] = [];
  let current: Service | undefined = first;
  const notFound = () => new ApiError('not_found', 'service hello not found', { status: 404 });
  const connection = {
    state: { status: 'connected' },
    stateChanged: new Signal<unknown, unknown>({}),
    serverUrl: 'http://server',
    client: {
      getService: () => (current ? Promise.resolve(current) : Promise.reject(notFound())),
      startService: () => (current ? Promise.resolve(current) : Promise.reject(notFound())),
      serviceEvents: () => Promise.resolve({ events: [] }),
      serviceMetrics: () => Promise.resolve({ points: [] }),
      serviceLogs: () => {
        const page = pendingPage();
        pages.push(page);
        return page.promise;
      },
    },
    events: {
      subscribe: (topic: string, handler: (event: EventMessage) => void, options?: { cursor?: string }) => {
        subscriptions.push({ topic, cursor: options?.cursor });
        const set = handlers.get(topic) ?? new Set();
        set.add(handler);
        handlers.set(topic, set);
        return () => set.delete(handler);
      },
    },
  } as unknown as IConnectionModel;
  const send = (topic: string, kind: string, data: unknown) => {
    for (const handler of [...(handlers.get(topic) ?? [])]) {
      handler({ type: 'event', topic, kind, data } as EventMessage);
    }
  };
  return {
    connection,
    pages,
    logSubscriptions: () => subscriptions.filter((s) => s.topic === 'service-logs/hello'),
    /** The service changes on the server and its news goes out on `services/hello`. */
    change: (next: Service) => {
      current = next;
      send('services/hello', 'services', { change: 'updated', service: next });
    },
    logBatch: (lines: LogLine[], cursor: string) => send('service-logs/hello', 'service-logs', { lines, cursor }),
    /** The service is deleted, its news missed by the page: the server answers 404 for it. */
    delete: () => {
      current = undefined;
    },
  };
}

const texts = (model: ServiceDetailModel) => model.logs.lines().map((l) => `#${l.instance} ${l.text}`);

describe('a service’s logs', () => {
  it('names the replicas shown: the serving version’s indexes', () => {
    const rollingOut = service(2, [replica(1, 0), replica(2, 1), replica(2, 0)]);
    expect(logSourceKey(rollingOut)).toBe('2:0,1');
    expect(logSourceKey(service(1, [replica(1, 0)]))).not.toBe(logSourceKey(service(2, [replica(2, 0)])));
    expect(logSourceKey(undefined)).toBe('');
  });

  it('follow the new version’s replicas once it serves, without the old version’s last lines', async () => {
    const server = fakeServer(service(1, [replica(1, 0)]));
    const model = new ServiceDetailModel(server.connection, 'hello');
    const started = model.start();
    await vi.waitFor(() => expect(server.pages).toHaveLength(1));
    server.pages[0]!.answer([line(0, 1, 'v1 started'), line(0, 2, 'v1 GET /')], 'v1-c2');
    await started;
    expect(server.logSubscriptions()).toEqual([{ topic: 'service-logs/hello', cursor: 'v1-c2' }]);

    // Version 2 serves; version 1 stops and writes its last lines while version 2's page is read.
    server.change(service(2, [replica(1, 0), replica(2, 0)]));
    expect(model.logs.size).toBe(0);
    await vi.waitFor(() => expect(server.pages).toHaveLength(2));
    server.logBatch([line(0, 3, 'v1 stop requested'), line(0, 4, 'v1 exited')], 'v1-c4');
    server.pages[1]!.answer([line(0, 1, 'v2 started')], 'v2-c1');
    await vi.waitFor(() => expect(server.logSubscriptions()).toHaveLength(2));
    expect(server.logSubscriptions()[1]).toEqual({ topic: 'service-logs/hello', cursor: 'v2-c1' });
    server.logBatch([line(0, 2, 'v2 GET /')], 'v2-c2');
    expect(texts(model)).toEqual(['#0 v2 started', '#0 v2 GET /']);
    model.dispose();
  });

  it('read again when the serving version’s replicas change, and drop a page read for the replicas before', async () => {
    const server = fakeServer(service(1, [replica(1, 0)]));
    const model = new ServiceDetailModel(server.connection, 'hello');
    const started = model.start();
    await vi.waitFor(() => expect(server.pages).toHaveLength(1));
    server.pages[0]!.answer([line(0, 1, 'replica 0 up')], 'c1');
    await started;

    server.change(service(1, [replica(1, 0), replica(1, 1)]));
    server.change(service(1, [replica(1, 0), replica(1, 1), replica(1, 2)]));
    await vi.waitFor(() => expect(server.pages).toHaveLength(3));
    server.pages[2]!.answer([line(0, 1, 'replica 0 up'), line(1, 1, 'replica 1 up'), line(2, 1, 'replica 2 up')], 'c3');
    server.pages[1]!.answer([line(0, 1, 'replica 0 up'), line(1, 1, 'replica 1 up')], 'c2');
    await vi.waitFor(() => expect(server.logSubscriptions()).toHaveLength(2));
    expect(server.logSubscriptions()[1]?.cursor).toBe('c3');
    expect(texts(model)).toEqual(['#0 replica 0 up', '#1 replica 1 up', '#2 replica 2 up']);

    // A change of state alone keeps the lines and the subscription.
    server.change({ ...service(1, [replica(1, 0), replica(1, 1), replica(1, 2)]), state: 'Updating' });
    expect(model.logs.size).toBe(3);
    expect(server.pages).toHaveLength(3);
    model.dispose();
  });
});

describe('a deleted service', () => {
  it('is deleted when the server no longer knows the service it showed (its news missed)', async () => {
    // Read again (after a reconnection, say): 404.
    const server = fakeServer(service(1, [replica(1, 0)]));
    const model = new ServiceDetailModel(server.connection, 'hello');
    await model.refresh();
    server.delete();
    expect(model.deleted).toBe(false);
    await model.refresh();
    expect(model.deleted).toBe(true);
    expect(model.error).toBeUndefined();
    model.dispose();
    // An action answered 404.
    const other = fakeServer(service(1, [replica(1, 0)]));
    const acted = new ServiceDetailModel(other.connection, 'hello');
    await acted.refresh();
    other.delete();
    await acted.act('start');
    expect(acted.deleted).toBe(true);
    expect(acted.error).toBeUndefined();
    acted.dispose();
  });

  it('is not called deleted when the server never knew the name: its error shows', async () => {
    const server = fakeServer(service(1, []));
    server.delete();
    const model = new ServiceDetailModel(server.connection, 'hello');
    await model.refresh();
    expect(model.deleted).toBe(false);
    expect(model.error).toBe('service hello not found');
    model.dispose();
  });
});
