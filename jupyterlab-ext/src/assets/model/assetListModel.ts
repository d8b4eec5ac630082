import type { ApiClient, Asset, AssetKind, AssetTask, AssetVersion } from '@aiplat/api';
import { LiveListModel } from '../../model/liveListModel.js';
import type { IConnectionModel } from '../../tokens.js';
import { startUpload, type UploadFile } from './assetImportModel.js';
import { AssetTaskBook } from './assetTasks.js';

/** The key of a version's action errors: `<asset id>@<version>`. */
export const versionKey = (assetId: string, version: string): string => `${assetId}@${version}`;

/** The user's own first (by name), then those shared with them (by name). */
export function assetOrder(a: Asset, b: Asset): number {
  return Number(a.readOnly) - Number(b.readOnly) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id);
}

/**
 * Whether a task's event changes the list: an ended task (a dataset's folder filled, a model's
 * version ready or failed, a version accelerated), or one naming an asset or version not listed yet.
 */
export function taskChangesList(task: AssetTask, assets: readonly Asset[]): boolean {
  if (task.state !== 'running') return true;
  const asset = assets.find((a) => a.id === task.assetId);
  if (!asset) return true;
  if (task.version === undefined) return false;
  const version = asset.versions.find((v) => v.version === task.version);
  if (!version) return true;
  return task.action === 'accelerate' && version.accelerated?.state !== 'copying';
}

/**
 * One kind's assets (`listAssets`): the user's datasets (or models) and those shared with them,
 * with their versions, kept live from the `asset-tasks` topic (the tasks' progress in `tasks`; the
 * list read again when a task ends), and the actions on assets and versions. What an action fails
 * with shows on its asset's row (`actionError(id)`) or version's (`actionError(versionKey(...))`).
 */
export class AssetListModel extends LiveListModel<Asset> {
  readonly tasks: AssetTaskBook;

  constructor(
    connection: IConnectionModel,
    readonly kind: AssetKind,
  ) {
    const tasks = new AssetTaskBook(kind);
    let listed: () => readonly Asset[] = () => [];
    super(connection, {
      topic: 'asset-tasks',
      load: async (client) => {
        const [assets, running] = await Promise.all([
          client.listAssets({ params: { kind } }),
          client.listAssetTasks({ query: {} }),
        ]);
        tasks.reset(running.items);
        return assets.items;
      },
      changeOf: (event) => {
        if (event.kind !== 'asset-tasks' || !tasks.put(event.data)) return undefined;
        return taskChangesList(event.data, listed()) ? { reload: true } : undefined;
      },
      keyOf: (asset) => asset.id,
      order: assetOrder,
    });
    listed = () => this.items;
    this.tasks = tasks;
    tasks.changed.connect(() => this.emit(), this);
  }

  get assets(): readonly Asset[] {
    return this.items;
  }

  byId(id: string): Asset | undefined {
    return this.items.find((a) => a.id === id);
  }

  /** Reads one asset again (after an action changed it). */
  private async reread(client: ApiClient, id: string): Promise<void> {
    this.put(await client.getAsset({ params: { kind: this.kind, id } }));
  }

  /** Deletes an asset of the user's with its versions and shares, or takes a shared one off the list. */
  delete(id: string): Promise<void> {
    return this.act(id, async (client) => {
      await client.deleteAsset({ params: { kind: this.kind, id } });
      this.remove(id);
    });
  }

  /** Publishes a dataset's working folder as its next version: it, or undefined (see `actionError(id)`). */
  async publish(id: string, description?: string): Promise<AssetVersion | undefined> {
    let published: AssetVersion | undefined;
    await this.act(id, async (client) => {
      const text = description?.trim();
      published = await client.publishVersion({
        params: { kind: this.kind, id },
        body: text ? { description: text } : {},
      });
      await this.reread(client, id);
    });
    return published;
  }

  deleteVersion(id: string, version: string): Promise<void> {
    return this.act(versionKey(id, version), async (client) => {
      await client.deleteVersion({ params: { kind: this.kind, id, version } });
      await this.reread(client, id);
    });
  }

  /** Copies a version onto the fast storage (a task). */
  accelerate(id: string, version: string): Promise<void> {
    return this.act(versionKey(id, version), async (client) => {
      this.tasks.put(await client.accelerateVersion({ params: { kind: this.kind, id, version } }));
      await this.reread(client, id);
    });
  }

  /** Removes a version's accelerated copy. */
  evict(id: string, version: string): Promise<void> {
    return this.act(versionKey(id, version), async (client) => {
      await client.evictVersion({ params: { kind: this.kind, id, version } });
      await this.reread(client, id);
    });
  }

  /** Copies a version into a new folder under /work (a task): true once it started. */
  async exportTo(id: string, version: string, path: string): Promise<boolean> {
    let started = false;
    await this.act(versionKey(id, version), async (client) => {
      this.tasks.put(
        await client.exportVersion({ params: { kind: this.kind, id, version }, body: { path: path.trim() } }),
      );
      started = true;
    });
    return started;
  }

  /** The version as a tar archive, or undefined (see `actionError(versionKey(...))`). */
  async archive(id: string, version: string): Promise<Blob | undefined> {
    let blob: Blob | undefined;
    await this.act(versionKey(id, version), async (client) => {
      const response = await client.exportVersionArchive({ params: { kind: this.kind, id, version } });
      blob = await response.blob();
    });
    return blob;
  }

  /** Cancels a running task; what it wrote is removed. */
  cancelTask(task: AssetTask): Promise<void> {
    return this.act(task.assetId, async (client) => {
      this.tasks.put(await client.cancelAssetTask({ params: { taskId: task.id } }));
    });
  }

  /** Uploads a file dropped on the asset (archives are extracted): true once its import started. */
  async upload(id: string, file: UploadFile): Promise<boolean> {
    let started = false;
    await this.act(id, async (client) => {
      this.started(await startUpload(client, this.kind, id, file));
      started = true;
    });
    return started;
  }

  /** A task just started from here (an import): shown at once, before its first event. */
  started(task: AssetTask): void {
    this.tasks.put(task);
    if (taskChangesList(task, this.items)) void this.refresh();
  }
}
