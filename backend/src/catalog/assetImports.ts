import { constants, createWriteStream } from 'node:fs';
import { copyFile, mkdir, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  ApiError,
  isTerminalJobState,
  type AssetKind,
  type AssetTask,
  type AssetVersion,
  type ImportSource,
  type JobState,
  type VersionSource,
} from '@aiplat/api';
import type { PathResolver } from '../workspace/pathResolver.js';
import { previewModelFolder } from '../workspace/previews/model.js';
import { archiveFormatOf, extractArchive, type ExtractLimits } from './archives/extract.js';
import { nextVersion, type AssetCatalog } from './assetCatalog.js';
import type { AssetShares } from './assetShares.js';
import type { AssetRecord } from './assetStore.js';
import type { TaskControl } from './assetTasks.js';
import { downloadToFile, type DownloadPolicy } from './download/download.js';
import { checkRecords } from './records/checkRecords.js';
import { copyTree, linkTree, measureTree } from './treeCopy.js';
import { mergeInto, protectTree, removeTree } from './treeMoves.js';

/** What an import needs to know of a job: whose it is, where it ran, whether it ended. */
export type JobLookup = (id: string) => { user: string; state: JobState; workingDir: string } | undefined;

export interface ImportLimits {
  extract: ExtractLimits;
  download: DownloadPolicy;
  maxUploadBytes: number;
}

export interface AssetImportsDeps {
  catalog: AssetCatalog;
  shares: AssetShares;
  resolver: PathResolver;
  jobs: JobLookup;
  limits: ImportLimits;
}

/** Where the data of one import comes from, once the request is checked. */
type Producer = (content: string, staging: string, control: TaskControl) => Promise<void>;
interface Planned {
  producer: Producer;
  /** What the task says it reads. */
  label: string;
  source: VersionSource;
  /** Told when the task fails or is cancelled, whether or not the producer ran. */
  ended?: (outcome: 'failed' | 'cancelled', message: string) => void;
}

/**
 * Imports into a dataset's working folder, or as a model's new version: from a folder under /work,
 * a finished job's output, a download link, an upload or (models) another account's share token.
 * Each runs as a task writing into a staging folder in the same home; only a complete, checked
 * import is moved into place, so a failure or cancel leaves nothing behind.
 */
export class AssetImports {
  constructor(private readonly deps: AssetImportsDeps) {}

  private get catalog() {
    return this.deps.catalog;
  }

  async start(
    user: string,
    kind: AssetKind,
    id: string,
    source: ImportSource,
    description?: string,
  ): Promise<AssetTask> {
    const record = this.catalog.owned(user, kind, id);
    return this.launch(record, await this.producerFor(user, record, source), description);
  }

  /**
   * An upload: the task starts at once (its progress is the upload's), and the returned promise
   * settles when the body has arrived — refused, it rejects and nothing is kept.
   */
  async upload(
    user: string,
    kind: AssetKind,
    id: string,
    options: { fileName: string; extract: boolean; into?: string; body: Readable; contentLength?: number },
  ): Promise<AssetTask> {
    const record = this.catalog.owned(user, kind, id);
    const limit = this.deps.limits.maxUploadBytes;
    if (options.contentLength !== undefined && options.contentLength > limit) {
      throw new ApiError(
        'payload_too_large',
        `the upload is ${options.contentLength} bytes; uploads take at most ${limit} bytes (catalog.maxUploadBytes)`,
      );
    }
    const into = options.into ? safeRelative(options.into, 'into') : '';
    let received!: () => void;
    let refused!: (error: unknown) => void;
    const arrived = new Promise<void>((resolve, reject) => {
      received = resolve;
      refused = reject;
    });
    const producer: Producer = async (content, staging, control) => {
      const file = path.join(staging, 'upload');
      try {
        await receive(options.body, file, limit, options.contentLength, control);
        received();
      } catch (error) {
        refused(error);
        throw error;
      }
      await this.unpack(file, options.fileName, options.extract, path.join(content, into), control);
    };
    const source: VersionSource = { type: 'upload', fileName: options.fileName };
    // A task that ends before its producer reads the body (its staging folder cannot be made, a
    // cancel) must still answer the request.
    const ended = (outcome: 'failed' | 'cancelled', message: string) =>
      refused(
        outcome === 'cancelled'
          ? new ApiError('conflict', 'the upload was cancelled')
          : new ApiError('unavailable', `the upload could not be stored: ${message}`),
      );
    const task = this.launch(
      record,
      { producer, label: `upload ${options.fileName}`, source, ended },
      undefined,
      'uploading',
    );
    await arrived;
    return { ...task, phase: 'uploading' };
  }

  private launch(
    record: AssetRecord,
    { producer, label, source, ended }: Planned,
    description: string | undefined,
    firstPhase: AssetTask['phase'] = 'queued',
  ): AssetTask {
    this.catalog.refuseWhileRunning(record, 'imported into', 'import');
    const isModel = record.kind === 'models';
    const version = isModel ? this.reserveVersion(record, source, description) : undefined;
    let stagingDir = '';
    const task = this.catalog.deps.tasks.start(
      {
        action: 'import',
        kind: record.kind,
        assetId: record.id,
        assetName: record.name,
        owner: record.owner,
        source: label,
        ...(version ? { version: version.version } : {}),
      },
      async (control) => {
        control.progress({ phase: firstPhase });
        stagingDir = await this.catalog.deps.layout.stagingDir(record.owner, control.id);
        await removeTree(stagingDir);
        await mkdir(stagingDir, { recursive: true });
        const content = path.join(stagingDir, 'content');
        await producer(content, stagingDir, control);
        await mkdir(content, { recursive: true });
        control.signal.throwIfAborted();
        const message = isModel
          ? await this.commitModelVersion(record, version as AssetVersion, content, control)
          : await this.commitDatasetImport(record, content, control);
        await removeTree(stagingDir);
        return message;
      },
      async (outcome, message) => {
        ended?.(outcome, message);
        if (stagingDir) await removeTree(stagingDir);
        if (version) this.settleVersion(record.id, version.version, outcome, message);
      },
    );
    if (version) this.setVersionTask(record.id, version.version, task.id);
    return task;
  }

  private async producerFor(user: string, record: AssetRecord, source: ImportSource): Promise<Planned> {
    switch (source.type) {
      case 'folder': {
        const resolved = await this.deps.resolver.resolve(user, source.path, { access: 'read' });
        return {
          label: resolved.apiPath,
          source: { type: 'folder', path: resolved.apiPath },
          producer: (content, _s, control) => this.copyIn(resolved.absPath, content, control),
        };
      }
      case 'job': {
        const job = this.deps.jobs(source.jobId);
        if (!job || job.user !== user) throw new ApiError('not_found', `you have no job ${source.jobId}`);
        if (!isTerminalJobState(job.state))
          throw new ApiError('conflict', `job ${source.jobId} is ${job.state}: import its output once it has finished`);
        const apiPath = source.subPath
          ? `${job.workingDir}/${safeRelative(source.subPath, 'subPath')}`
          : job.workingDir;
        const resolved = await this.deps.resolver.resolve(user, apiPath, { access: 'read' });
        return {
          label: `job ${source.jobId}: ${resolved.apiPath}`,
          source: { type: 'job', jobId: source.jobId, path: resolved.apiPath },
          producer: (content, _s, control) => this.copyIn(resolved.absPath, content, control),
        };
      }
      case 'url':
        return {
          label: withoutCredentials(source.url),
          source: { type: 'url', url: withoutCredentials(source.url) },
          producer: async (content, staging, control) => {
            control.progress({ phase: 'downloading' });
            const file = path.join(staging, 'download');
            const got = await downloadToFile({
              url: source.url,
              dest: file,
              policy: this.deps.limits.download,
              signal: control.signal,
              onProgress: (p) =>
                control.progress({
                  bytesDone: p.bytesDone,
                  ...(p.bytesTotal !== undefined ? { bytesTotal: p.bytesTotal } : {}),
                }),
            });
            await this.unpack(file, got.fileName, source.extract ?? true, content, control);
          },
        };
      case 'share': {
        if (record.kind !== 'models')
          throw new ApiError(
            'bad_request',
            'a share token is redeemed as a shared dataset (Add shared dataset), not imported into one',
          );
        const { share, original } = this.deps.shares.resolve(source.token, record.kind);
        const shared = this.catalog.sharedVersions({
          ...original,
          owner: user,
          sharedFrom: {
            assetId: original.id,
            shareId: share.id,
            owner: original.owner,
            ...(share.version ? { version: share.version } : {}),
          },
        });
        const latest = shared[shared.length - 1];
        if (!latest) throw new ApiError('conflict', `${original.name} has no ready version to import yet`);
        const from = await this.catalog.versionDir(original, latest.version);
        return {
          label: `${original.owner}/${original.name}@${latest.version}`,
          source: { type: 'share', owner: original.owner, name: original.name, version: latest.version },
          producer: async (content, _s, control) => {
            control.progress({ phase: 'copying', bytesTotal: latest.sizeBytes });
            const counts = await linkTree(from, content, {
              signal: control.signal,
              onProgress: (p) => control.progress({ bytesDone: p.bytes, filesDone: p.files }),
            });
            control.progress({ bytesDone: counts.bytes, filesDone: counts.files });
          },
        };
      }
    }
  }

  private async copyIn(src: string, content: string, control: TaskControl): Promise<void> {
    const stats = await stat(src);
    control.progress({ phase: 'copying' });
    if (stats.isDirectory()) {
      const total = await measureTree(src);
      control.progress({ bytesTotal: total.bytes });
      await copyTree(src, content, {
        signal: control.signal,
        onProgress: (p) => control.progress({ bytesDone: p.bytes, filesDone: p.files }),
      });
    } else {
      await mkdir(content);
      await copyFile(src, path.join(content, path.basename(src)), constants.COPYFILE_FICLONE);
      control.progress({ bytesDone: stats.size, filesDone: 1 });
    }
  }

  /** Extracts an archive into `into`, or keeps the file as it is under its name. */
  private async unpack(
    file: string,
    fileName: string,
    extract: boolean,
    into: string,
    control: TaskControl,
  ): Promise<void> {
    const format = extract ? archiveFormatOf(fileName) : undefined;
    if (format) {
      control.progress({ phase: 'extracting', bytesDone: 0, filesDone: 0 });
      await mkdir(path.dirname(into), { recursive: true });
      const result = await extractArchive({
        archivePath: file,
        format,
        targetDir: into,
        limits: this.deps.limits.extract,
        signal: control.signal,
        onProgress: (p) =>
          control.progress({ bytesDone: p.archiveBytesRead, bytesTotal: p.archiveBytes, filesDone: p.entries }),
      });
      control.progress({ filesDone: result.files });
      await removeTree(file);
    } else {
      await mkdir(into, { recursive: true });
      await rename(file, path.join(into, safeFileName(fileName)));
    }
  }

  private async commitDatasetImport(record: AssetRecord, content: string, control: TaskControl): Promise<string> {
    const counts = await measureTree(content);
    if (record.annotationType && record.annotationType !== 'none') {
      control.progress({ phase: 'checking' });
      const check = await checkRecords({ dir: content, annotationType: record.annotationType, signal: control.signal });
      control.setRecords(check);
    }
    control.signal.throwIfAborted();
    const working = await this.catalog.workingDir(record);
    await mkdir(path.dirname(working), { recursive: true });
    await mergeInto(content, working);
    control.progress({ filesDone: counts.files });
    return `${counts.files} files (${counts.bytes} bytes) added to ${this.catalog.deps.layout.workingApiPath(record.name)}`;
  }

  private async commitModelVersion(
    record: AssetRecord,
    version: AssetVersion,
    content: string,
    control: TaskControl,
  ): Promise<string> {
    control.progress({ phase: 'summarizing' });
    const counts = await measureTree(content);
    if (counts.files === 0)
      throw new ApiError('bad_request', 'the import brought no files: nothing to make a version of');
    const home = await this.catalog.deps.layout.home(record.owner);
    const preview = await previewModelFolder(content, home, version.path, 0).catch(() => undefined);
    const dir = await this.catalog.versionDir(record, version.version);
    await mkdir(path.dirname(dir), { recursive: true });
    await removeTree(dir);
    await protectTree(content);
    control.signal.throwIfAborted();
    await rename(content, dir);
    this.updateVersion(record.id, version.version, (v) => {
      v.state = 'ready';
      v.fileCount = counts.files;
      v.sizeBytes = counts.bytes;
      delete v.taskId;
      if (preview) {
        const architecture = preview.config?.architectures[0];
        v.summary = {
          ...(architecture ? { architecture } : {}),
          ...(preview.config?.modelType ? { modelType: preview.config.modelType } : {}),
          ...(preview.config?.torchDtype ? { torchDtype: preview.config.torchDtype } : {}),
          ...(preview.tensorCount > 0 ? { parameterCount: preview.parameterCount, dtypes: preview.dtypes } : {}),
          files: preview.files.slice(0, 200),
        };
      }
    });
    const original = this.catalog.deps.store.get(record.id);
    const ready = original?.versions.find((v) => v.version === version.version);
    if (original && ready) await this.catalog.materializeForCopies(original, ready);
    return `${record.name}@${version.version}: ${counts.files} files (${counts.bytes} bytes)`;
  }

  private reserveVersion(record: AssetRecord, source: VersionSource, description?: string): AssetVersion {
    const fresh = this.catalog.deps.store.get(record.id) ?? record;
    const name = nextVersion(fresh.versions);
    const version: AssetVersion = {
      version: name,
      state: 'importing',
      createdAt: this.catalog.now().toISOString(),
      path: this.catalog.deps.layout.versionApiPath(record.kind, record.name, name),
      fileCount: 0,
      sizeBytes: 0,
      source,
      ...(description ? { description } : {}),
    };
    fresh.versions.push(version);
    this.catalog.deps.store.replace(fresh);
    return version;
  }

  private setVersionTask(assetId: string, version: string, taskId: string): void {
    this.updateVersion(assetId, version, (v) => {
      if (v.state === 'importing') v.taskId = taskId;
    });
  }

  /** A failed import leaves its version `failed` with the reason; a cancelled one leaves none. */
  private settleVersion(assetId: string, version: string, outcome: 'failed' | 'cancelled', message: string): void {
    const record = this.catalog.deps.store.get(assetId);
    if (!record) return;
    if (outcome === 'cancelled') record.versions = record.versions.filter((v) => v.version !== version);
    const failed = record.versions.find((v) => v.version === version);
    if (failed) {
      failed.state = 'failed';
      failed.message = message;
      delete failed.taskId;
    }
    this.catalog.deps.store.replace(record);
  }

  private updateVersion(assetId: string, version: string, change: (v: AssetVersion) => void): void {
    const record = this.catalog.deps.store.get(assetId);
    const found = record?.versions.find((v) => v.version === version);
    if (!record || !found) return;
    change(found);
    this.catalog.deps.store.replace(record);
  }
}

/** Streams an upload into `file`, counting it against the limit as it arrives. */
async function receive(
  body: Readable,
  file: string,
  limit: number,
  expected: number | undefined,
  control: TaskControl,
): Promise<void> {
  let bytes = 0;
  control.progress({ phase: 'uploading', ...(expected !== undefined ? { bytesTotal: expected } : {}) });
  body.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > limit)
      body.destroy(
        new ApiError(
          'payload_too_large',
          `the upload passed ${limit} bytes; uploads take at most ${limit} bytes (catalog.maxUploadBytes)`,
        ),
      );
    else control.progress({ bytesDone: bytes });
  });
  await pipeline(body, createWriteStream(file, { flags: 'wx' }), { signal: control.signal });
  if (expected !== undefined && bytes !== expected) {
    throw new ApiError('bad_request', `the upload ended after ${bytes} of ${expected} bytes: send it again`);
  }
}

/** A relative folder inside the asset: no `..`, no absolute path. */
function safeRelative(value: string, field: string): string {
  const parts = value.split(/[\\/]+/).filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..') || /^[\\/]/.test(value) || /^[A-Za-z]:/.test(value)) {
    throw new ApiError('bad_request', `${field} must be a folder inside the dataset (no "..", not absolute)`, {
      issues: [{ path: field, message: 'a relative folder' }],
    });
  }
  return parts.join('/');
}

function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  return base === '' || base === '.' || base === '..' ? 'download' : base;
}

function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url;
  }
}
