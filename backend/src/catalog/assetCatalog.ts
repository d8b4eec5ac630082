import { randomBytes } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { ApiError, type Asset, type AssetKind, type AssetVersion, type CreateAssetBody } from '@aiplat/api';
import type { AssetLayout } from './assetLayout.js';
import type { AssetRecord, AssetStore } from './assetStore.js';
import type { AssetTasks } from './assetTasks.js';
import { linkTree } from './treeCopy.js';
import { removeTree } from './treeMoves.js';

export interface AssetCatalogDeps {
  store: AssetStore;
  layout: AssetLayout;
  tasks: AssetTasks;
  now?: () => Date;
}

export const kindLabel = (kind: AssetKind) => (kind === 'datasets' ? 'dataset' : 'model');
export const newAssetId = () => `as-${randomBytes(6).toString('hex')}`;

/** The next version name after the ones an asset has had (numbers are never reused). */
export function nextVersion(versions: readonly AssetVersion[]): string {
  return `v${versions.reduce((max, v) => Math.max(max, Number(v.version.slice(1))), 0) + 1}`;
}

/**
 * The datasets and models users own or were shared: records, the view users see, and the
 * operations on versions. Imports, shares and copies are their own modules on top of this one.
 */
export class AssetCatalog {
  readonly now: () => Date;

  constructor(readonly deps: AssetCatalogDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  list(user: string, kind: AssetKind): Asset[] {
    return this.deps.store.list(user, kind).map((record) => this.view(record));
  }

  get(user: string, kind: AssetKind, id: string): Asset {
    return this.view(this.visible(user, kind, id));
  }

  async create(user: string, kind: AssetKind, body: CreateAssetBody): Promise<Asset> {
    if (kind === 'models' && (body.dataType !== undefined || body.annotationType !== undefined)) {
      throw new ApiError('bad_request', 'dataType and annotationType are for datasets; a model has neither', {
        issues: [{ path: body.dataType !== undefined ? 'dataType' : 'annotationType', message: 'datasets only' }],
      });
    }
    if (this.deps.store.byName(user, kind, body.name)) {
      throw new ApiError('conflict', `you already have a ${kindLabel(kind)} named ${body.name}: choose another name`);
    }
    const record: AssetRecord = {
      id: newAssetId(),
      kind,
      name: body.name,
      owner: user,
      createdAt: this.now().toISOString(),
      versions: [],
      ...(body.description ? { description: body.description } : {}),
      ...(kind === 'datasets'
        ? { dataType: body.dataType ?? 'text', annotationType: body.annotationType ?? 'none' }
        : {}),
    };
    // A dataset's folder may already hold data (the catalog found `datasets/<name>` folders before): it is adopted.
    if (kind === 'datasets') await mkdir(await this.workingDir(record), { recursive: true });
    this.deps.store.insert(record);
    return this.view(record);
  }

  /** Deletes an owned asset's versions, accelerated copies and shares; a dataset's working folder stays. */
  async delete(user: string, kind: AssetKind, id: string): Promise<{ deleted: string }> {
    const record = this.visible(user, kind, id);
    if (record.sharedFrom) {
      await this.dropCopy(record);
      return { deleted: record.id };
    }
    this.refuseWhileRunning(record, 'deleted');
    for (const copy of this.deps.store.sharedCopies(record.id)) await this.dropCopy(copy);
    for (const version of record.versions) await this.removeVersionFolders(record, version);
    await removeTree(path.dirname(await this.versionDir(record, 'v1')));
    this.deps.store.delete(record.id);
    return { deleted: record.id };
  }

  /** Publishes a dataset's working folder as its next version: links, never copies, unchanged bytes. */
  async publish(user: string, kind: AssetKind, id: string, description?: string): Promise<AssetVersion> {
    const record = this.owned(user, kind, id);
    if (kind !== 'datasets') {
      throw new ApiError(
        'bad_request',
        "a model's versions come from imports: import a folder, a job's output, an upload, a link or a share token",
      );
    }
    this.refuseWhileRunning(record, 'published', 'import');
    const working = await this.workingDir(record);
    const stats = await stat(working).catch(() => undefined);
    if (!stats?.isDirectory()) {
      throw new ApiError(
        'conflict',
        `${this.deps.layout.workingApiPath(record.name)} is missing: import data into the dataset first`,
      );
    }
    const version = nextVersion(record.versions);
    const apiPath = this.deps.layout.versionApiPath(kind, record.name, version);
    const dir = await this.deps.layout.homePath(user, apiPath);
    await mkdir(path.dirname(dir), { recursive: true });
    let counts;
    try {
      counts = await linkTree(working, dir);
    } catch (error) {
      await removeTree(dir);
      throw error;
    }
    if (counts.files === 0) {
      await removeTree(dir);
      throw new ApiError(
        'conflict',
        `${this.deps.layout.workingApiPath(record.name)} has no files to publish: import data first`,
      );
    }
    const published: AssetVersion = {
      version,
      state: 'ready',
      createdAt: this.now().toISOString(),
      path: apiPath,
      fileCount: counts.files,
      sizeBytes: counts.bytes,
      linkedBytes: counts.linkedBytes,
      source: { type: 'publish' },
      ...(description ? { description } : {}),
    };
    record.versions.push(published);
    this.deps.store.replace(record);
    await this.materializeForCopies(record, published);
    return published;
  }

  async deleteVersion(user: string, kind: AssetKind, id: string, version: string): Promise<{ deleted: string }> {
    const record = this.owned(user, kind, id);
    const found = this.versionOf(record, version);
    if (found.state === 'importing' || found.accelerated?.state === 'copying') {
      throw new ApiError(
        'conflict',
        `${record.name}@${version} is busy (${found.state === 'importing' ? 'importing' : 'being accelerated'}): cancel its task first`,
      );
    }
    await this.removeVersionFolders(record, found);
    record.versions = record.versions.filter((v) => v.version !== version);
    this.deps.store.replace(record);
    return { deleted: `${record.name}@${version}` };
  }

  /** The view users see: a redeemed copy shows the original's versions at its own read-only folders. */
  view(record: AssetRecord): Asset {
    const base = {
      id: record.id,
      kind: record.kind,
      name: record.name,
      owner: record.owner,
      createdAt: record.createdAt,
      ...(record.description ? { description: record.description } : {}),
      ...(record.dataType ? { dataType: record.dataType } : {}),
      ...(record.annotationType ? { annotationType: record.annotationType } : {}),
    };
    if (!record.sharedFrom) {
      return {
        ...base,
        readOnly: false,
        versions: structuredClone(record.versions),
        ...(record.kind === 'datasets' ? { workingPath: this.deps.layout.workingApiPath(record.name) } : {}),
      };
    }
    return {
      ...base,
      readOnly: true,
      sharedBy: record.sharedFrom.owner,
      versions: this.sharedVersions(record).map((v) => ({
        ...structuredClone(v),
        path: this.deps.layout.sharedApiPath(record.kind, record.name, v.version),
      })),
    };
  }

  /** The original's ready versions a copy may see (one, for a version share). */
  sharedVersions(copy: AssetRecord): AssetVersion[] {
    const original = copy.sharedFrom && this.deps.store.get(copy.sharedFrom.assetId);
    if (!original) return [];
    return original.versions.filter(
      (v) => v.state === 'ready' && (copy.sharedFrom?.version === undefined || v.version === copy.sharedFrom.version),
    );
  }

  /** A record the user may see: theirs or redeemed by them. */
  visible(user: string, kind: AssetKind, id: string): AssetRecord {
    const record = this.deps.store.get(id);
    if (!record || record.owner !== user || record.kind !== kind) {
      throw new ApiError('not_found', `you have no ${kindLabel(kind)} ${id}`);
    }
    return record;
  }

  /** A record the user owns (not a copy shared with them). */
  owned(user: string, kind: AssetKind, id: string): AssetRecord {
    const record = this.visible(user, kind, id);
    if (record.sharedFrom) {
      throw new ApiError(
        'forbidden',
        `${record.name} was shared with you by ${record.sharedFrom.owner} and is read-only: export a version to work on a copy`,
      );
    }
    return record;
  }

  versionOf(record: AssetRecord, version: string): AssetVersion {
    const found = record.versions.find((v) => v.version === version);
    if (!found) {
      const known = record.versions.map((v) => v.version).join(', ') || 'none yet';
      throw new ApiError('not_found', `${record.name} has no version ${version} (versions: ${known})`);
    }
    return found;
  }

  async workingDir(record: AssetRecord): Promise<string> {
    return this.deps.layout.homePath(record.owner, this.deps.layout.workingApiPath(record.name));
  }

  /** The folder on disk of a version as `record`'s user sees it (the copy's own folder for a redeemed copy). */
  async versionDir(record: AssetRecord, version: string): Promise<string> {
    const apiPath = record.sharedFrom
      ? this.deps.layout.sharedApiPath(record.kind, record.name, version)
      : this.deps.layout.versionApiPath(record.kind, record.name, version);
    return this.deps.layout.homePath(record.owner, apiPath);
  }

  /** Links a new version of `original` into every copy redeemed with a share of all versions. */
  async materializeForCopies(original: AssetRecord, version: AssetVersion): Promise<void> {
    for (const copy of this.deps.store.sharedCopies(original.id)) {
      if (copy.sharedFrom?.version !== undefined) continue;
      await this.materialize(original, copy, version.version);
    }
  }

  async materialize(original: AssetRecord, copy: AssetRecord, version: string): Promise<void> {
    const target = await this.versionDir(copy, version);
    await removeTree(target);
    await mkdir(path.dirname(target), { recursive: true });
    await linkTree(await this.versionDir(original, version), target);
  }

  /** Takes a redeemed copy off its user's list, with its linked folders. */
  async dropCopy(copy: AssetRecord): Promise<void> {
    const dir = await this.deps.layout.homePath(copy.owner, `home/.catalog/shared/${copy.kind}/${copy.name}`);
    await removeTree(dir);
    this.deps.store.delete(copy.id);
  }

  refuseWhileRunning(record: AssetRecord, what: string, action?: 'import'): void {
    const running = this.deps.tasks.running(record.id).filter((task) => !action || task.action === action);
    if (running.length > 0) {
      throw new ApiError(
        'conflict',
        `${record.name} cannot be ${what} while its ${running[0]?.action} task ${running[0]?.id} runs: wait for it or cancel it`,
      );
    }
  }

  private async removeVersionFolders(record: AssetRecord, version: AssetVersion): Promise<void> {
    await removeTree(this.deps.layout.acceleratedDir(record.owner, record.kind, record.name, version.version));
    for (const copy of this.deps.store.sharedCopies(record.id))
      await removeTree(await this.versionDir(copy, version.version));
    await removeTree(await this.versionDir(record, version.version));
  }
}
