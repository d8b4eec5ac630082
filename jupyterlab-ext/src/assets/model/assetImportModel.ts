import {
  ImportBodySchema,
  type ApiClient,
  type AssetKind,
  type AssetTask,
  type ImportBody,
  type ImportSource,
} from '@aiplat/api';
import { FieldFormModel, judgedProblems, problemsByField } from '../../model/fieldFormModel.js';
import type { IConnectionModel } from '../../tokens.js';

/** Where an import reads from: the API's sources, and a file sent with the request. */
export type ImportChoice = ImportSource['type'] | 'upload';

/** The sources each kind offers: a share token is imported as a model's version (a dataset is added instead). */
export function importChoices(kind: AssetKind): readonly ImportChoice[] {
  return kind === 'models' ? ['folder', 'job', 'url', 'upload', 'share'] : ['folder', 'job', 'url', 'upload'];
}

/** A file to upload: a browser File, or any Blob with a name. */
export type UploadFile = Blob & { readonly name: string };

export interface ImportValues {
  source: ImportChoice;
  /** folder: a folder under /work. */
  path: string;
  /** job: the job's id, and a folder inside its working folder (optional). */
  jobId: string;
  subPath: string;
  /** url: a download link; extract an archive (also for an upload). */
  url: string;
  extract: boolean;
  /** share (models): the token. */
  token: string;
  /** Models: the new version's description. */
  description: string;
  file: UploadFile | undefined;
}

export const emptyImportValues = (path = ''): ImportValues => ({
  source: 'folder',
  path,
  jobId: '',
  subPath: '',
  url: '',
  extract: true,
  token: '',
  description: '',
  file: undefined,
});

/** The import request's body for the chosen source (not for an upload, sent as a file). */
export function importBodyOf(kind: AssetKind, values: ImportValues): ImportBody | undefined {
  const description = values.description.trim();
  const extra = kind === 'models' && description ? { description } : {};
  switch (values.source) {
    case 'folder':
      return { source: { type: 'folder', path: values.path.trim().replace(/^\/work\/?/, '') }, ...extra };
    case 'job': {
      const subPath = values.subPath.trim();
      return { source: { type: 'job', jobId: values.jobId.trim(), ...(subPath ? { subPath } : {}) }, ...extra };
    }
    case 'url':
      return { source: { type: 'url', url: values.url.trim(), extract: values.extract }, ...extra };
    case 'share':
      return { source: { type: 'share', token: values.token.trim() }, ...extra };
    case 'upload':
      return undefined;
  }
}

/** A contract path (`source.url`, the API's `body.source.url`, `query.fileName`) → the field that shows it. */
export function importFieldOfPath(path: string): string {
  const parts = path.replace(/^(body|query)\.?/, '').split('.');
  if (parts[0] === 'source') return parts[1] === undefined || parts[1] === 'type' ? 'source' : parts[1];
  if (parts[0] === 'fileName' || parts[0] === 'extract' || parts[0] === 'into') return 'file';
  return parts[0] || 'source';
}

/** Sends a file into a dataset's folder, or as a model's new version: the task that unpacks it. */
export function startUpload(
  client: ApiClient,
  kind: AssetKind,
  id: string,
  file: UploadFile,
  extract = true,
): Promise<AssetTask> {
  return client.uploadIntoAsset({
    params: { kind, id },
    query: { fileName: file.name, extract: extract ? 'true' : 'false' },
    data: file,
  });
}

/**
 * The import form of one asset: where from (a folder under /work, a job's output, a download link,
 * a file from this computer, for models a share token), each field checked as typed against the
 * contract (`ImportBodySchema`), and the import started as a task whose progress the list shows.
 */
export class AssetImportModel extends FieldFormModel<ImportValues> {
  constructor(
    connection: IConnectionModel,
    readonly kind: AssetKind,
    readonly assetId: string,
    prefillPath = '',
  ) {
    super(connection, emptyImportValues(prefillPath));
  }

  get choices(): readonly ImportChoice[] {
    return importChoices(this.kind);
  }

  /** Ready to start: an upload has its file. */
  get ready(): boolean {
    return this._values.source !== 'upload' || this._values.file !== undefined;
  }

  protected override fieldsOfKey(key: keyof ImportValues & string): string[] {
    // Another source asks for other fields: the problems of those it hides are cleared.
    if (key === 'source') return ['source', 'path', 'jobId', 'subPath', 'url', 'token', 'file'];
    return [key];
  }

  protected fieldOfPath(path: string): string {
    return importFieldOfPath(path);
  }

  protected problems(values: ImportValues): Map<string, string[]> {
    const body = importBodyOf(this.kind, values);
    return problemsByField(body ? judgedProblems([], ImportBodySchema.safeParse(body)) : [], importFieldOfPath);
  }

  /** Starts the import: its task, or undefined with the problems at their fields. */
  start(): Promise<AssetTask | undefined> {
    const values = this._values;
    const body = importBodyOf(this.kind, values);
    return this.submit(
      () => this.validate() && this.ready,
      (client) =>
        body
          ? client.importIntoAsset({ params: { kind: this.kind, id: this.assetId }, body })
          : startUpload(client, this.kind, this.assetId, values.file!, values.extract),
    );
  }
}
