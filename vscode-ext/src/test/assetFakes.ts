import {
  ApiError,
  type ApiClient,
  type Asset,
  type AssetKind,
  type AssetShare,
  type AssetTask,
  type AssetVersion,
  type EventMessage,
} from '@aiplat/api';
import type { EventSource, SubscribeOptions } from '../connection/liveEvents.js';

/*
 * In-memory stand-ins at the datasets and models seams, for unit tests: an `asset-tasks` event
 * source the test confirms and feeds by hand, and the asset routes of the API client over lists in
 * memory. Tasks do not run here: the test moves them along as the server would.
 */

export function fakeTaskEvents() {
  const subscribers = new Set<{ topic: string; handler: (e: EventMessage) => void; options: SubscribeOptions }>();
  const events: EventSource = {
    subscribe: (topic, handler, options = {}) => {
      const entry = { topic, handler, options };
      subscribers.add(entry);
      return { dispose: () => subscribers.delete(entry) };
    },
  };
  const of = () => [...subscribers].filter((s) => s.topic === 'asset-tasks');
  return {
    events,
    count: () => of().length,
    confirm: () => of().forEach((s) => s.options.onSubscribed?.()),
    push: (task: AssetTask) =>
      of().forEach((s) => s.handler({ type: 'event', topic: 'asset-tasks', kind: 'asset-tasks', data: task })),
  };
}

export function aVersion(change: Partial<AssetVersion> = {}): AssetVersion {
  return {
    version: 'v1',
    state: 'ready',
    createdAt: '2026-12-05T10:00:00.000Z',
    path: 'home/.catalog/datasets/alpaca/v1',
    fileCount: 2,
    sizeBytes: 2048,
    source: { type: 'publish' },
    ...change,
  };
}

export function anAsset(change: Partial<Asset> = {}): Asset {
  return {
    id: 'as-000000000001',
    kind: 'datasets',
    name: 'alpaca',
    owner: 'alice',
    dataType: 'text',
    annotationType: 'instruction',
    createdAt: '2026-12-05T09:00:00.000Z',
    workingPath: 'home/datasets/alpaca',
    readOnly: false,
    versions: [aVersion()],
    ...change,
  };
}

export function aTask(change: Partial<AssetTask> = {}): AssetTask {
  return {
    id: 'at-000000000001',
    action: 'import',
    kind: 'datasets',
    assetId: 'as-000000000001',
    assetName: 'alpaca',
    owner: 'alice',
    source: 'home/raw',
    state: 'running',
    phase: 'copying',
    bytesDone: 0,
    filesDone: 0,
    createdAt: '2026-12-05T10:00:00.000Z',
    ...change,
  };
}

type AssetRoutes =
  | 'listAssets'
  | 'getAsset'
  | 'createAsset'
  | 'deleteAsset'
  | 'importIntoAsset'
  | 'uploadIntoAsset'
  | 'publishVersion'
  | 'deleteVersion'
  | 'accelerateVersion'
  | 'evictVersion'
  | 'exportVersion'
  | 'exportVersionArchive'
  | 'shareAsset'
  | 'listAssetShares'
  | 'revokeAssetShare'
  | 'redeemAssetShare'
  | 'listAssetTasks'
  | 'getAssetTask'
  | 'cancelAssetTask';

type Input = { params?: Record<string, string>; body?: Record<string, unknown>; query?: Record<string, unknown> };

/** The asset routes over memory; `calls` records each call's route and input. */
export class FakeAssetApi {
  assets: Asset[] = [];
  tasks: AssetTask[] = [];
  shares: AssetShare[] = [];
  /** The task the next import, upload, acceleration or export starts. */
  started: AssetTask = aTask();
  /** The bytes of every archive download (served with Range). */
  archive = new Uint8Array(0);
  /** What the next redeemAssetShare calls throw, in order (none left: they succeed). */
  redeemErrors: ApiError[] = [];
  readonly calls: { route: AssetRoutes; input?: Input; options?: unknown }[] = [];

  private record(route: AssetRoutes, input?: Input, options?: unknown): void {
    this.calls.push({ route, ...(input ? { input } : {}), ...(options ? { options } : {}) });
  }

  private asset(id: string): Asset {
    const found = this.assets.find((a) => a.id === id);
    if (!found) throw new ApiError('not_found', `no asset ${id}`);
    return found;
  }

  private start(route: AssetRoutes, input: Input): AssetTask {
    this.record(route, input);
    this.tasks = [this.started, ...this.tasks.filter((t) => t.id !== this.started.id)];
    return this.started;
  }

  listAssets = async (input: Input) => {
    this.record('listAssets', input);
    return { items: this.assets.filter((a) => a.kind === (input.params?.kind as AssetKind)) };
  };
  getAsset = async (input: Input) => {
    this.record('getAsset', input);
    return this.asset(input.params!.id!);
  };
  createAsset = async (input: Input) => {
    this.record('createAsset', input);
    const created = anAsset({
      id: `as-${String(this.assets.length + 10).padStart(12, '0')}`,
      kind: input.params!.kind as AssetKind,
      versions: [],
      ...(input.body as Partial<Asset>),
    });
    this.assets.push(created);
    return created;
  };
  deleteAsset = async (input: Input) => {
    this.record('deleteAsset', input);
    this.assets = this.assets.filter((a) => a.id !== input.params!.id);
    return { deleted: input.params!.id! };
  };
  importIntoAsset = async (input: Input) => this.start('importIntoAsset', input);
  uploadIntoAsset = async (input: Input & { data?: unknown }, options?: { signal?: AbortSignal }) => {
    // Reads the streamed body whole, as the server would.
    const chunks: Uint8Array[] = [];
    for await (const chunk of input.data as AsyncIterable<Uint8Array>) chunks.push(chunk);
    const bytes = chunks.reduce((n, c) => n + c.byteLength, 0);
    this.record('uploadIntoAsset', { params: input.params!, query: { ...input.query, bytes } }, options);
    this.tasks = [this.started, ...this.tasks];
    return this.started;
  };
  publishVersion = async (input: Input) => {
    this.record('publishVersion', input);
    const asset = this.asset(input.params!.id!);
    const version = aVersion({ version: `v${asset.versions.length + 1}` });
    asset.versions = [...asset.versions, version];
    return version;
  };
  deleteVersion = async (input: Input) => {
    this.record('deleteVersion', input);
    const asset = this.asset(input.params!.id!);
    asset.versions = asset.versions.filter((v) => v.version !== input.params!.version);
    return { deleted: input.params!.version! };
  };
  accelerateVersion = async (input: Input) => this.start('accelerateVersion', input);
  evictVersion = async (input: Input) => {
    this.record('evictVersion', input);
    return aVersion();
  };
  exportVersion = async (input: Input) => this.start('exportVersion', input);
  exportVersionArchive = async (
    input: Input,
    options: { headers?: Record<string, string>; signal?: AbortSignal } = {},
  ) => {
    this.record('exportVersionArchive', input, options);
    const total = this.archive.byteLength;
    const range = /^bytes=(\d+)-$/.exec(options.headers?.range ?? '');
    const start = range ? Number(range[1]) : 0;
    if (start >= total && range) throw new ApiError('range_not_satisfiable', 'outside', { status: 416 });
    const headers: Record<string, string> = { 'content-length': String(total - start) };
    if (range) headers['content-range'] = `bytes ${start}-${total - 1}/${total}`;
    return new Response(this.archive.slice(start), { status: range ? 206 : 200, headers });
  };
  shareAsset = async (input: Input) => {
    this.record('shareAsset', input);
    const share: AssetShare = {
      id: `sh-${this.shares.length + 1}`,
      createdAt: '2026-12-05T10:00:00.000Z',
      redeemedBy: [],
      ...(input.body?.version ? { version: input.body.version as string } : {}),
      ...(input.body?.expiresInHours ? { expiresAt: '2026-12-06T10:00:00.000Z' } : {}),
    };
    this.shares.push(share);
    return { token: 'aiplat-share-secret', share };
  };
  listAssetShares = async (input: Input) => {
    this.record('listAssetShares', input);
    return { items: [...this.shares] };
  };
  revokeAssetShare = async (input: Input) => {
    this.record('revokeAssetShare', input);
    const share = this.shares.find((s) => s.id === input.params!.shareId)!;
    share.revokedAt = '2026-12-05T11:00:00.000Z';
    return share;
  };
  redeemAssetShare = async (input: Input) => {
    this.record('redeemAssetShare', input);
    const error = this.redeemErrors.shift();
    if (error) throw error;
    const added = anAsset({
      id: 'as-00000000bbbb',
      kind: input.params!.kind as AssetKind,
      name: (input.body?.name as string | undefined) ?? 'shared-one',
      owner: 'bob',
      sharedBy: 'bob',
      readOnly: true,
    });
    this.assets.push(added);
    return added;
  };
  listAssetTasks = async (input?: Input) => {
    this.record('listAssetTasks', input);
    return { items: [...this.tasks] };
  };
  getAssetTask = async (input: Input) => {
    this.record('getAssetTask', input);
    const task = this.tasks.find((t) => t.id === input.params!.taskId);
    if (!task) throw new ApiError('not_found', `no task ${input.params!.taskId}`);
    return task;
  };
  cancelAssetTask = async (input: Input) => {
    this.record('cancelAssetTask', input);
    const task = { ...(await this.getAssetTask(input)), state: 'cancelled' as const };
    this.move(task);
    return task;
  };

  /** The server moved a task on: what later reads return. */
  move(task: AssetTask): void {
    this.tasks = [task, ...this.tasks.filter((t) => t.id !== task.id)];
  }

  asClient(): ApiClient {
    return this as unknown as ApiClient;
  }
}
