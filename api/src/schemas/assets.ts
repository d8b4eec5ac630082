import { z } from 'zod';
import { fieldError, strictObject } from './fieldErrors.js';
import { ShareExpiresInHoursSchema } from './images.js';

/*
 * Datasets and models as managed assets (慧聚 数据管理 / 模型管理, TI-ONE's data and model centres).
 * A dataset has a working folder (`home/datasets/<name>`) that imports fill and the user may edit,
 * and immutable published versions (v1, v2, …) made from it. A model's versions are imported
 * directly, each with its own import state. Versions are read-only folders under
 * `home/.catalog/<kind>/<name>/<version>`; unchanged files are hard links (or reflinks), never copies.
 * Assets are shared by token (口令); the redeemer gets them read-only.
 */

/** The path segment of an asset's routes: `/api/assets/datasets/…`, `/api/assets/models/…`. */
export const ASSET_KINDS = ['datasets', 'models'] as const;
export const AssetKindSchema = z.enum(ASSET_KINDS, {
  error: fieldError('kind', 'datasets or models'),
});
export type AssetKind = z.infer<typeof AssetKindSchema>;

export const DATASET_DATA_TYPES = ['text', 'image', 'other'] as const;
export const DatasetDataTypeSchema = z.enum(DATASET_DATA_TYPES, {
  error: fieldError('dataType', DATASET_DATA_TYPES.join(', ')),
});
export type DatasetDataType = z.infer<typeof DatasetDataTypeSchema>;

/**
 * How a dataset's records are annotated (慧聚's 标注类型): `instruction` {instruction, input, output},
 * `conversation` (OpenAI `messages` or ShareGPT `conversations`), `qa` (text, Query, Answer, Match,
 * File, Similar-Question), `ranking` (a prompt with ordered answers), or `none` (not checked).
 */
export const ANNOTATION_TYPES = ['none', 'instruction', 'conversation', 'qa', 'ranking'] as const;
export const AnnotationTypeSchema = z.enum(ANNOTATION_TYPES, {
  error: fieldError('annotationType', ANNOTATION_TYPES.join(', ')),
});
export type AnnotationType = z.infer<typeof AnnotationTypeSchema>;

export const ASSET_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const AssetNameSchema = z
  .string({ error: fieldError('name', 'a name of letters, digits, ".", "_" and "-"') })
  .regex(
    ASSET_NAME_PATTERN,
    'a name is 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit (it names a folder)',
  );

export const AssetIdSchema = z.string().regex(/^as-[a-f0-9]{12}$/, 'an asset id looks like as-0123456789ab');
export const VersionNameSchema = z.string().regex(/^v[1-9][0-9]{0,5}$/, 'a version looks like v1, v2, …');

/** A reference a job.yaml or a service names: `name` (the latest version) or `name@v2`. */
export const AssetRefSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}(@v[1-9][0-9]{0,5})?$/,
    'a dataset or model reference is name or name@version, e.g. alpaca-zh@v2',
  );
export function parseAssetRef(ref: string): { name: string; version?: string } {
  const at = ref.indexOf('@');
  return at < 0 ? { name: ref } : { name: ref.slice(0, at), version: ref.slice(at + 1) };
}

// ---- sources --------------------------------------------------------------------------------

const FolderPathSchema = z
  .string({ error: fieldError('path', 'a folder under /work, e.g. home/runs/sft-1/output') })
  .min(1)
  .max(4096);

/** Where an import takes its data from. */
export const ImportSourceSchema = z
  .discriminatedUnion(
    'type',
    [
      strictObject({ type: z.literal('folder'), path: FolderPathSchema }, 'a folder source'),
      strictObject(
        {
          type: z.literal('job'),
          jobId: z.string({ error: fieldError('jobId', "a finished job's id") }).min(1),
          /** A folder inside the job's working folder (default: the working folder itself). */
          subPath: z.string().max(4096).optional(),
        },
        'a job source',
      ),
      strictObject(
        {
          type: z.literal('url'),
          url: z
            .string({ error: fieldError('url', 'an http(s) URL of a file or an archive') })
            .url('url must be an http(s) URL')
            .max(4096)
            .refine((u) => /^https?:\/\//i.test(u), 'url must start with http:// or https://'),
          /** Extract a zip / tar / tar.gz archive (default true); otherwise the file is kept as it is. */
          extract: z.boolean().optional(),
        },
        'a download link source',
      ),
      strictObject(
        {
          type: z.literal('share'),
          token: z
            .string({ error: fieldError('token', 'the share token you were given') })
            .min(1)
            .max(200),
        },
        'a share token source',
      ),
    ],
    { error: fieldError('source.type', 'folder, job, url or share (an upload goes to …/imports/upload)') },
  )
  .meta({ id: 'ImportSource' });
export type ImportSource = z.infer<typeof ImportSourceSchema>;

/** What a version records about where it came from. */
export const VersionSourceSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('publish') }),
  z.object({ type: z.literal('folder'), path: z.string() }),
  z.object({ type: z.literal('job'), jobId: z.string(), path: z.string() }),
  z.object({ type: z.literal('url'), url: z.string() }),
  z.object({ type: z.literal('upload'), fileName: z.string() }),
  z.object({ type: z.literal('share'), owner: z.string(), name: z.string(), version: z.string() }),
]);
export type VersionSource = z.infer<typeof VersionSourceSchema>;

// ---- assets and versions --------------------------------------------------------------------

export const ModelSummarySchema = z.object({
  architecture: z.string().optional(),
  modelType: z.string().optional(),
  parameterCount: z.number().int().nonnegative().optional(),
  /** The weights' dtypes with their tensor counts, and the config's torch_dtype. */
  dtypes: z.record(z.string(), z.number().int()).optional(),
  torchDtype: z.string().optional(),
  files: z.array(z.object({ path: z.string(), size: z.number().int() })).optional(),
});
export type ModelSummary = z.infer<typeof ModelSummarySchema>;

export const ACCELERATION_STATES = ['copying', 'ready', 'failed'] as const;
export const AccelerationSchema = z.object({
  state: z.enum(ACCELERATION_STATES),
  /** The accelerated copy, relative to /work (under the fast storage root). */
  path: z.string(),
  taskId: z.string().optional(),
  message: z.string().optional(),
});
export type Acceleration = z.infer<typeof AccelerationSchema>;

export const VERSION_STATES = ['importing', 'ready', 'failed'] as const;
export const VersionStateSchema = z.enum(VERSION_STATES);
export type VersionState = z.infer<typeof VersionStateSchema>;

export const AssetVersionSchema = z
  .object({
    version: VersionNameSchema,
    state: VersionStateSchema,
    createdAt: z.string(),
    description: z.string().optional(),
    /** Where to open it in the file tree, relative to /work (read-only). */
    path: z.string(),
    fileCount: z.number().int().nonnegative(),
    sizeBytes: z.number().int().nonnegative(),
    /** Bytes this version shares with the working folder or earlier versions instead of copying. */
    linkedBytes: z.number().int().nonnegative().optional(),
    source: VersionSourceSchema,
    /** The import task filling a model version while it is `importing`. */
    taskId: z.string().optional(),
    /** Why the version failed. */
    message: z.string().optional(),
    summary: ModelSummarySchema.optional(),
    accelerated: AccelerationSchema.optional(),
  })
  .meta({ id: 'AssetVersion' });
export type AssetVersion = z.infer<typeof AssetVersionSchema>;

export const AssetSchema = z
  .object({
    id: AssetIdSchema,
    kind: AssetKindSchema,
    name: z.string(),
    owner: z.string(),
    description: z.string().optional(),
    dataType: DatasetDataTypeSchema.optional(),
    annotationType: AnnotationTypeSchema.optional(),
    createdAt: z.string(),
    /** Datasets you own: the folder imports fill and publish reads, relative to /work. */
    workingPath: z.string().optional(),
    /** True for an asset another user shared with you. */
    readOnly: z.boolean(),
    sharedBy: z.string().optional(),
    /** Oldest first. A share of one version shows only that version. */
    versions: z.array(AssetVersionSchema),
  })
  .meta({ id: 'Asset' });
export type Asset = z.infer<typeof AssetSchema>;

export const AssetListResponseSchema = z.object({ items: z.array(AssetSchema) }).meta({ id: 'AssetList' });
export type AssetListResponse = z.infer<typeof AssetListResponseSchema>;

export const AssetKindParamsSchema = z.object({ kind: AssetKindSchema });
export const AssetParamsSchema = z.object({ kind: AssetKindSchema, id: AssetIdSchema });
export const AssetVersionParamsSchema = z.object({
  kind: AssetKindSchema,
  id: AssetIdSchema,
  version: VersionNameSchema,
});

const DescriptionSchema = z.string({ error: fieldError('description', 'text') }).max(2000);

export const CreateAssetBodySchema = strictObject(
  {
    name: AssetNameSchema,
    description: DescriptionSchema.optional(),
    /** Datasets only. */
    dataType: DatasetDataTypeSchema.optional(),
    /** Datasets only: imports check records against it. */
    annotationType: AnnotationTypeSchema.optional(),
  },
  'the new dataset or model',
);
export type CreateAssetBody = z.infer<typeof CreateAssetBodySchema>;

export const PublishVersionBodySchema = strictObject(
  { description: DescriptionSchema.optional() },
  'the publish request',
);

export const DeleteAssetResponseSchema = z.object({ deleted: z.string() });

// ---- tasks ----------------------------------------------------------------------------------

export const ASSET_TASK_ACTIONS = ['import', 'accelerate', 'export'] as const;
export const ASSET_TASK_STATES = ['running', 'succeeded', 'failed', 'cancelled'] as const;
export const AssetTaskStateSchema = z.enum(ASSET_TASK_STATES);
export type AssetTaskState = z.infer<typeof AssetTaskStateSchema>;

export const TASK_PHASES = [
  'queued',
  'uploading',
  'downloading',
  'extracting',
  'copying',
  'checking',
  'summarizing',
] as const;

/** One record that does not fit the dataset's annotation type. */
export const RecordProblemSchema = z.object({
  /** Relative to the dataset's folder. */
  file: z.string(),
  /** 1-based; 0 for a problem with the file as a whole. */
  line: z.number().int().nonnegative(),
  message: z.string(),
});
export type RecordProblem = z.infer<typeof RecordProblemSchema>;

export const RecordCheckSchema = z.object({
  annotationType: AnnotationTypeSchema,
  filesChecked: z.number().int().nonnegative(),
  recordsChecked: z.number().int().nonnegative(),
  badRecords: z.number().int().nonnegative(),
  /** The first problems (at most 100). */
  problems: z.array(RecordProblemSchema),
});
export type RecordCheck = z.infer<typeof RecordCheckSchema>;

export const AssetTaskSchema = z
  .object({
    id: z.string(),
    action: z.enum(ASSET_TASK_ACTIONS),
    kind: AssetKindSchema,
    assetId: AssetIdSchema,
    assetName: z.string(),
    owner: z.string(),
    /** The model version an import fills, or the version accelerated or exported. */
    version: VersionNameSchema.optional(),
    /** What the import reads (`upload` for a file sent with the request), or the export's target folder. */
    source: z.string(),
    state: AssetTaskStateSchema,
    phase: z.enum(TASK_PHASES),
    bytesDone: z.number().int().nonnegative(),
    /** Unknown while a download has not said its length. */
    bytesTotal: z.number().int().nonnegative().optional(),
    filesDone: z.number().int().nonnegative(),
    createdAt: z.string(),
    finishedAt: z.string().optional(),
    /** Why it failed, or what it did. */
    message: z.string().optional(),
    records: RecordCheckSchema.optional(),
  })
  .meta({ id: 'AssetTask' });
export type AssetTask = z.infer<typeof AssetTaskSchema>;

export const AssetTaskListQuerySchema = z.object({ assetId: AssetIdSchema.optional() });
export const AssetTaskListResponseSchema = z.object({ items: z.array(AssetTaskSchema) }).meta({ id: 'AssetTaskList' });
export const AssetTaskParamsSchema = z.object({
  taskId: z.string().regex(/^at-[a-f0-9]{12}$/, 'a task id looks like at-0123456789ab'),
});

export const ImportBodySchema = strictObject(
  {
    source: ImportSourceSchema,
    /** Models: the new version's description. */
    description: DescriptionSchema.optional(),
  },
  'the import request',
);
export type ImportBody = z.infer<typeof ImportBodySchema>;

export const UploadImportQuerySchema = z.object({
  /** The uploaded file's name: `.zip`, `.tar`, `.tar.gz` / `.tgz` are extracted unless extract=false. */
  fileName: z
    .string({ error: fieldError('fileName', "the uploaded file's name") })
    .min(1)
    .max(255)
    .refine((n) => !n.includes('/') && !n.includes('\\') && n !== '.' && n !== '..', 'fileName is a name, not a path'),
  extract: z
    .enum(['true', 'false'], { error: fieldError('extract', 'true or false') })
    .optional()
    .transform((v) => v !== 'false'),
  /** A folder inside the dataset to put the files in. */
  into: z.string().max(1024).optional(),
});

export const ExportBodySchema = strictObject(
  {
    /** A folder under /work to copy the version into (created; must not exist yet). */
    path: FolderPathSchema,
  },
  'the export request',
);

// ---- shares ---------------------------------------------------------------------------------

export const AssetShareSchema = z
  .object({
    id: z.string(),
    /** Only this version, or every version (including later ones) when absent. */
    version: VersionNameSchema.optional(),
    createdAt: z.string(),
    expiresAt: z.string().optional(),
    revokedAt: z.string().optional(),
    /** Users who added the asset with this token. */
    redeemedBy: z.array(z.string()),
  })
  .meta({ id: 'AssetShare' });
export type AssetShare = z.infer<typeof AssetShareSchema>;

export const CreateShareBodySchema = strictObject(
  {
    version: VersionNameSchema.optional(),
    expiresInHours: ShareExpiresInHoursSchema.optional(),
  },
  'the share request',
);
/** The token is shown once: only its hash is kept. */
export const CreatedShareSchema = z.object({ token: z.string(), share: AssetShareSchema }).meta({ id: 'CreatedShare' });
export const AssetShareListResponseSchema = z.object({ items: z.array(AssetShareSchema) });
export const AssetShareParamsSchema = z.object({ kind: AssetKindSchema, id: AssetIdSchema, shareId: z.string() });

export const RedeemShareBodySchema = strictObject(
  {
    token: z
      .string({ error: fieldError('token', 'the share token you were given') })
      .min(1)
      .max(200),
    /** The name it takes in your list, when you already have one of the same name. */
    name: AssetNameSchema.optional(),
  },
  'the redeem request',
);
