import { mkdir, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { ApiError, parseAssetRef, type AssetKind, type AssetTask, type AssetVersion, type JobInput } from '@aiplat/api';
import type { PathResolver } from '../workspace/pathResolver.js';
import type { AssetCatalog } from './assetCatalog.js';
import type { AssetRecord } from './assetStore.js';
import { copyTree } from './treeCopy.js';
import { removeTree } from './treeMoves.js';

/** The variable a job reads an input's folder from: AIPLAT_DATASET_ALPACA_ZH for dataset alpaca-zh. */
export function inputEnvName(kind: AssetKind, name: string): string {
  return `AIPLAT_${kind === 'datasets' ? 'DATASET' : 'MODEL'}_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** A dataset or model version a job reads: the folder (accelerated when there is a ready copy). */
export interface ResolvedAssetRef {
  ref: string;
  name: string;
  version: string;
  /** On disk. */
  dir: string;
  /** As users see it, relative to /work. */
  shownPath: string;
  accelerated: boolean;
}

/**
 * Copies of versions made for speed or to take away: acceleration onto the fast storage (jobs then
 * read the copy), export into a folder under /work, and resolving `name@version` for jobs.
 */
export class AssetCopies {
  constructor(
    private readonly catalog: AssetCatalog,
    private readonly resolver: PathResolver,
  ) {}

  accelerate(user: string, kind: AssetKind, id: string, versionName: string): AssetTask {
    const record = this.catalog.owned(user, kind, id);
    const version = this.readyVersion(record, versionName);
    if (version.accelerated?.state === 'copying')
      throw new ApiError('conflict', `${record.name}@${versionName} is being accelerated already`);
    if (version.accelerated?.state === 'ready')
      throw new ApiError(
        'conflict',
        `${record.name}@${versionName} is accelerated already: evict it first to copy it again`,
      );
    const target = this.catalog.deps.layout.acceleratedDir(record.owner, kind, record.name, versionName);
    const partial = `${target}.partial`;
    const shown = this.catalog.deps.layout.shownPath(target);
    const task = this.catalog.deps.tasks.start(
      {
        action: 'accelerate',
        kind,
        assetId: record.id,
        assetName: record.name,
        owner: user,
        version: versionName,
        source: shown,
      },
      async (control) => {
        control.progress({ phase: 'copying', bytesTotal: version.sizeBytes });
        await removeTree(partial);
        await removeTree(target);
        await mkdir(path.dirname(target), { recursive: true });
        const from = await this.catalog.versionDir(record, versionName);
        const counts = await copyTree(from, partial, {
          readOnly: true,
          signal: control.signal,
          onProgress: (p) => control.progress({ bytesDone: p.bytes, filesDone: p.files }),
        });
        await rename(partial, target);
        this.setAcceleration(record.id, versionName, { state: 'ready', path: shown });
        return `${counts.files} files (${counts.bytes} bytes) copied to ${shown}`;
      },
      async (outcome, message) => {
        await removeTree(partial);
        this.setAcceleration(
          record.id,
          versionName,
          outcome === 'failed' ? { state: 'failed', path: shown, message } : undefined,
        );
      },
    );
    this.setAcceleration(record.id, versionName, { state: 'copying', path: shown, taskId: task.id });
    return task;
  }

  async evict(user: string, kind: AssetKind, id: string, versionName: string): Promise<AssetVersion> {
    const record = this.catalog.owned(user, kind, id);
    const version = this.catalog.versionOf(record, versionName);
    if (!version.accelerated) throw new ApiError('conflict', `${record.name}@${versionName} is not accelerated`);
    if (version.accelerated.state === 'copying') {
      throw new ApiError(
        'conflict',
        `${record.name}@${versionName} is still being copied: cancel task ${version.accelerated.taskId} instead`,
      );
    }
    await removeTree(this.catalog.deps.layout.acceleratedDir(record.owner, kind, record.name, versionName));
    this.setAcceleration(record.id, versionName, undefined);
    return this.catalog.versionOf(this.catalog.deps.store.get(record.id) as AssetRecord, versionName);
  }

  /** Copies a version into a new folder under /work, as a task. */
  async exportToFolder(
    user: string,
    kind: AssetKind,
    id: string,
    versionName: string,
    targetPath: string,
  ): Promise<AssetTask> {
    const record = this.catalog.visible(user, kind, id);
    const version = this.readyVersion(record, versionName);
    const target = await this.resolver.resolve(user, targetPath, { access: 'write', mustExist: false });
    if (target.exists)
      throw new ApiError('conflict', `${target.apiPath} already exists: export into a new folder`, {
        issues: [{ path: 'path', message: 'must not exist yet' }],
      });
    const parent = await stat(path.dirname(target.absPath)).catch(() => undefined);
    if (!parent?.isDirectory())
      throw new ApiError('not_found', `${path.posix.dirname(target.apiPath)} does not exist: create it first`, {
        issues: [{ path: 'path', message: 'its parent folder is missing' }],
      });
    const partial = path.join(path.dirname(target.absPath), `.${path.basename(target.absPath)}.aiplat-export`);
    return this.catalog.deps.tasks.start(
      {
        action: 'export',
        kind,
        assetId: record.id,
        assetName: record.name,
        owner: user,
        version: versionName,
        source: target.apiPath,
      },
      async (control) => {
        control.progress({ phase: 'copying', bytesTotal: version.sizeBytes });
        await removeTree(partial);
        const counts = await copyTree(await this.catalog.versionDir(record, versionName), partial, {
          signal: control.signal,
          onProgress: (p) => control.progress({ bytesDone: p.bytes, filesDone: p.files }),
        });
        await rename(partial, target.absPath);
        return `${counts.files} files (${counts.bytes} bytes) copied to ${target.apiPath}`;
      },
      () => removeTree(partial),
    );
  }

  /** The folder of `name[@version]` for `user`'s job: their own or a shared one, accelerated when ready. */
  async resolveRef(user: string, kind: AssetKind, ref: string): Promise<ResolvedAssetRef> {
    const { name, version: asked } = parseAssetRef(ref);
    const record = this.catalog.deps.store.byName(user, kind, name);
    const label = kind === 'datasets' ? 'dataset' : 'model';
    if (!record)
      throw new ApiError(
        'not_found',
        `you have no ${label} named ${name} (${ref}): create it, or add the shared one, in the ${kind === 'datasets' ? 'Datasets' : 'Models'} view`,
      );
    const versions = (record.sharedFrom ? this.catalog.sharedVersions(record) : record.versions).filter(
      (v) => v.state === 'ready',
    );
    const version = asked ? versions.find((v) => v.version === asked) : versions[versions.length - 1];
    if (!version) {
      const ready = versions.map((v) => v.version).join(', ') || 'none';
      throw new ApiError(
        'not_found',
        asked
          ? `${name} has no published version ${asked} (published: ${ready})`
          : `${name} has no published version yet: publish one first`,
      );
    }
    const owner = record.sharedFrom ? (this.catalog.deps.store.get(record.sharedFrom.assetId) as AssetRecord) : record;
    if (version.accelerated?.state === 'ready') {
      const dir = this.catalog.deps.layout.acceleratedDir(owner.owner, kind, owner.name, version.version);
      return { ref, name, version: version.version, dir, shownPath: version.accelerated.path, accelerated: true };
    }
    const dir = await this.catalog.versionDir(record, version.version);
    const shownPath = record.sharedFrom
      ? this.catalog.deps.layout.sharedApiPath(kind, record.name, version.version)
      : version.path;
    return { ref, name, version: version.version, dir, shownPath, accelerated: false };
  }

  /** A job's `datasets` and `models`, pinned: each version's folder under /work and the variable that names it. */
  async resolveJobInputs(
    user: string,
    refs: { datasets: readonly string[]; models: readonly string[] },
  ): Promise<JobInput[]> {
    const inputs: JobInput[] = [];
    for (const kind of ['datasets', 'models'] as const) {
      for (const [index, ref] of refs[kind].entries()) {
        const refuse = (message: string) =>
          new ApiError('validation_failed', `${kind}[${index}] ${ref}: ${message}`, {
            issues: [{ path: `body.spec.${kind}.${index}`, message }],
          });
        let resolved: ResolvedAssetRef;
        try {
          resolved = await this.resolveRef(user, kind, ref);
        } catch (error) {
          throw error instanceof ApiError ? refuse(error.message) : error;
        }
        const env = inputEnvName(kind, resolved.name);
        if (inputs.some((input) => input.env === env)) throw refuse(`the job reads it as ${env} already`);
        inputs.push({
          kind: kind === 'datasets' ? 'dataset' : 'model',
          ref: `${resolved.name}@${resolved.version}`,
          env,
          path: resolved.shownPath,
          accelerated: resolved.accelerated,
        });
      }
    }
    return inputs;
  }

  private readyVersion(record: AssetRecord, versionName: string): AssetVersion {
    const versions = record.sharedFrom ? this.catalog.sharedVersions(record) : record.versions;
    const version = versions.find((v) => v.version === versionName);
    if (!version) return this.catalog.versionOf(record, versionName);
    if (version.state !== 'ready') throw new ApiError('conflict', `${record.name}@${versionName} is ${version.state}`);
    return version;
  }

  private setAcceleration(assetId: string, versionName: string, acceleration: AssetVersion['accelerated']): void {
    const record = this.catalog.deps.store.get(assetId);
    const version = record?.versions.find((v) => v.version === versionName);
    if (!record || !version) return;
    if (acceleration) version.accelerated = acceleration;
    else delete version.accelerated;
    this.catalog.deps.store.replace(record);
  }
}
