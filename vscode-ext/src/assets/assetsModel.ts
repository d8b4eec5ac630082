import { ApiError, type ApiClient, type Asset, type AssetKind, type AssetTask } from '@aiplat/api';
import type { EventSource } from '../connection/liveEvents.js';
import { Emitter, type Subscription } from '../model/emitter.js';
import { LiveListModel, type LiveListOptions } from '../model/liveListModel.js';

/*
 * The user's datasets and models and their running tasks, free of `vscode`. Each kind is a live list
 * (`GET /api/assets/<kind>`); the `asset-tasks` topic moves tasks along, and when a task starts or
 * ends, its asset is read again (an import adds files or a version, an acceleration marks one).
 */

/** A change of an asset list: an asset added or re-read, or one removed. */
export type AssetChange = { change: 'updated'; asset: Asset } | { change: 'deleted'; id: string };

export type AssetsModel = LiveListModel<Asset, AssetChange>;

export function createAssetsModel(kind: AssetKind, options: LiveListOptions): AssetsModel {
  return new LiveListModel<Asset, AssetChange>(options, {
    topic: 'asset-tasks',
    // Tasks carry no asset: the tasks model re-reads the asset a task touched.
    changeOf: () => undefined,
    listChange: (c) =>
      c.change === 'deleted' ? { change: 'deleted', key: c.id } : { change: 'updated', item: c.asset },
    list: async (client) => (await client.listAssets({ params: { kind } })).items,
    key: (asset) => asset.id,
  });
}

export const isTaskFinished = (task: AssetTask): boolean => task.state !== 'running';

export interface AssetTasksOptions {
  client: () => ApiClient | undefined;
  events: EventSource;
  assets: Readonly<Record<AssetKind, AssetsModel>>;
  /** How often a watched task is read while no event comes; 2 s by default. */
  pollIntervalMs?: number;
}

/**
 * The tasks of the user's assets: listed at each (re)subscription to `asset-tasks`, then kept by its
 * events. A task seen for the first time or seen ending has its asset re-read into its list.
 */
export class AssetTasksModel {
  private readonly byId = new Map<string, AssetTask>();
  private readonly changed = new Emitter<void>();
  private readonly taskChanged = new Emitter<AssetTask>();
  private readonly subscription: Subscription;
  readonly onDidChange = this.changed.event;

  constructor(private readonly options: AssetTasksOptions) {
    this.subscription = options.events.subscribe(
      'asset-tasks',
      (event) => {
        if (event.kind === 'asset-tasks') this.apply(event.data);
      },
      { onSubscribed: () => void this.refresh() },
    );
  }

  /** The running tasks of one asset (or all), oldest first. */
  running(assetId?: string): AssetTask[] {
    return [...this.byId.values()]
      .filter((task) => !isTaskFinished(task) && (assetId === undefined || task.assetId === assetId))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  find(id: string): AssetTask | undefined {
    return this.byId.get(id);
  }

  async refresh(): Promise<void> {
    const client = this.options.client();
    if (!client) return;
    try {
      const { items } = await client.listAssetTasks({ query: {} });
      // The list may have been read before a task's last event came: a task known to have ended
      // stays ended (else its row would stay in the tree for good, no later event to remove it).
      const ended = [...this.byId.values()].filter(isTaskFinished);
      this.byId.clear();
      for (const task of items) this.byId.set(task.id, task);
      for (const task of ended) this.byId.set(task.id, task);
      this.changed.fire();
    } catch {
      // The views show the lists' errors; the tasks come back with the next event or refresh.
    }
  }

  clear(): void {
    this.byId.clear();
    this.changed.fire();
  }

  /** A newer reading of a task (from the topic, or an action's answer). */
  apply(task: AssetTask): void {
    const before = this.byId.get(task.id);
    if (before && isTaskFinished(before) && !isTaskFinished(task)) return;
    this.byId.set(task.id, task);
    if (!before || (isTaskFinished(task) && !isTaskFinished(before))) void this.reread(task.kind, task.assetId);
    this.taskChanged.fire(task);
    this.changed.fire();
  }

  /** Reads one asset again into its list (removed when it is gone). */
  async reread(kind: AssetKind, id: string): Promise<void> {
    const client = this.options.client();
    if (!client) return;
    try {
      const asset = await client.getAsset({ params: { kind, id } });
      this.options.assets[kind].apply({ change: 'updated', asset });
    } catch (error) {
      if (error instanceof ApiError && error.code === 'not_found')
        this.options.assets[kind].apply({ change: 'deleted', id });
    }
  }

  /**
   * Follows one task until it ends, calling `onUpdate` with each newer reading; resolves with the
   * finished task. Events move it along; it is also read every few seconds, so a dropped socket
   * never leaves it waiting.
   */
  watch(first: AssetTask, onUpdate: (task: AssetTask) => void = () => undefined): Promise<AssetTask> {
    this.apply(first);
    onUpdate(first);
    if (isTaskFinished(first)) return Promise.resolve(first);
    return new Promise((resolve) => {
      let done = false;
      const seen = (task: AssetTask) => {
        if (done || task.id !== first.id) return;
        onUpdate(task);
        if (!isTaskFinished(task)) return;
        done = true;
        watching.dispose();
        clearInterval(timer);
        resolve(task);
      };
      const watching = this.taskChanged.event(seen);
      const timer = setInterval(() => {
        const client = this.options.client();
        if (!client) return;
        client.getAssetTask({ params: { taskId: first.id } }).then(
          (task) => !done && this.apply(task),
          () => undefined,
        );
      }, this.options.pollIntervalMs ?? 2000);
    });
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
    this.taskChanged.dispose();
  }
}
