import { z } from 'zod';
import { boolParam, intParam, WorkPathSchema } from './params.js';
import { RootNameSchema } from './system.js';

export const EntryTypeSchema = z.enum(['file', 'directory', 'symlink', 'other']);
export type EntryType = z.infer<typeof EntryTypeSchema>;

export const WorkspaceEntrySchema = z
  .object({
    name: z.string(),
    /** Path relative to /work, usable as the `path` of every other call. */
    path: z.string(),
    type: EntryTypeSchema,
    size: z.number().int().nonnegative(),
    /** ISO 8601 modification time. */
    mtime: z.string(),
    writable: z.boolean(),
    /** For symlinks: false when the link leaves its root or dangles (it is never followed). */
    linkResolves: z.boolean().optional(),
  })
  .meta({ id: 'WorkspaceEntry' });
export type WorkspaceEntry = z.infer<typeof WorkspaceEntrySchema>;

export const SortKeySchema = z.enum(['name', 'size', 'mtime']);
export type SortKey = z.infer<typeof SortKeySchema>;
export const SortOrderSchema = z.enum(['asc', 'desc']);

export const MAX_LIST_LIMIT = 5000;
export const DEFAULT_LIST_LIMIT = 500;

export const ListQuerySchema = z.object({
  path: WorkPathSchema.default(''),
  cursor: z.string().max(8192).optional(),
  limit: intParam(1, MAX_LIST_LIMIT).default(DEFAULT_LIST_LIMIT),
  sort: SortKeySchema.default('name'),
  order: SortOrderSchema.default('asc'),
});

export const ListResponseSchema = z
  .object({
    path: z.string(),
    entries: z.array(WorkspaceEntrySchema),
    /** Pass back as `cursor` for the next page; absent on the last page. */
    nextCursor: z.string().optional(),
    total: z.number().int().nonnegative(),
  })
  .meta({ id: 'ListResponse' });
export type ListResponse = z.infer<typeof ListResponseSchema>;

export const PathQuerySchema = z.object({ path: WorkPathSchema });

export const UploadQuerySchema = z.object({
  path: WorkPathSchema,
  overwrite: boolParam().default(false),
  /** Client-chosen id; progress is published on the `uploads` topic under it. */
  uploadId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'uploadId must be 1-64 letters, digits, _ or -')
    .optional(),
});

export const MkdirBodySchema = z.object({
  path: WorkPathSchema,
  parents: z.boolean().default(false),
});

export const RenameBodySchema = z.object({
  from: WorkPathSchema,
  to: WorkPathSchema,
  overwrite: z.boolean().default(false),
});

export const DeleteQuerySchema = z.object({
  path: WorkPathSchema,
  recursive: boolParam().default(false),
});

export const DeleteResponseSchema = z.object({ deleted: z.string() });

export const UploadProgressSchema = z
  .object({
    uploadId: z.string(),
    path: z.string(),
    receivedBytes: z.number().int().nonnegative(),
    totalBytes: z.number().int().nonnegative().nullable(),
    state: z.enum(['receiving', 'done', 'failed']),
    error: z.string().optional(),
  })
  .meta({ id: 'UploadProgress' });
export type UploadProgress = z.infer<typeof UploadProgressSchema>;

/** What changed in a folder a client watches (the `files/<path>` topic). */
export const FileChangeKindSchema = z.enum(['created', 'changed', 'deleted']);
export type FileChangeKind = z.infer<typeof FileChangeKindSchema>;

export const FileChangesSchema = z
  .object({
    /** The watched folder, relative to /work, as the topic names it. */
    path: z.string(),
    /** Entries of that folder (names, not paths) that changed since the last event. */
    changes: z.array(z.object({ name: z.string(), change: FileChangeKindSchema })),
  })
  .meta({ id: 'FileChanges' });
export type FileChanges = z.infer<typeof FileChangesSchema>;

// ---- previews -------------------------------------------------------------------------------

export const PreviewQuerySchema = z.object({
  path: WorkPathSchema,
  /** Records / rows / tensors to return at most. */
  limit: intParam(1, 1000).default(50),
  /** Bytes to read at most for text previews. */
  maxBytes: intParam(1, 1024 * 1024).default(64 * 1024),
});

export const TextPreviewSchema = z.object({
  kind: z.literal('text'),
  encoding: z.string(),
  /** True when the file starts with a byte-order mark (not part of `content`). */
  bom: z.boolean().optional(),
  content: z.string(),
  truncated: z.boolean(),
  size: z.number().int(),
});

/** Fine-tuning data formats recognised in JSON / JSONL records. */
export const RecordFormatSchema = z.enum(['instruction', 'conversation', 'generic']);
export type RecordFormat = z.infer<typeof RecordFormatSchema>;

export const JsonPreviewSchema = z.object({
  kind: z.literal('json'),
  format: z.enum(['json', 'jsonl']),
  recordFormat: RecordFormatSchema,
  /** Keys seen across the returned records, in first-seen order. */
  fields: z.array(z.string()),
  records: z.array(z.unknown()),
  truncated: z.boolean(),
  /** Lines (1-based) that did not parse, with the parser's message. */
  errors: z.array(z.object({ line: z.number().int(), message: z.string() })),
  size: z.number().int(),
});

export const CsvPreviewSchema = z.object({
  kind: z.literal('csv'),
  delimiter: z.string(),
  header: z.array(z.string()),
  rows: z.array(z.array(z.string())),
  truncated: z.boolean(),
  /** A parse error that stopped the preview (the rows before it are kept), with its 1-based line. */
  errors: z.array(z.object({ line: z.number().int(), message: z.string() })).optional(),
  size: z.number().int(),
});

export const ImagePreviewSchema = z.object({
  kind: z.literal('image'),
  mimeType: z.string(),
  width: z.number().int().optional(),
  height: z.number().int().optional(),
  size: z.number().int(),
});

export const TensorInfoSchema = z.object({
  name: z.string(),
  dtype: z.string(),
  shape: z.array(z.number().int()),
  file: z.string(),
});
export type TensorInfo = z.infer<typeof TensorInfoSchema>;

export const ModelPreviewSchema = z.object({
  kind: z.literal('model'),
  /** Summary of a Hugging Face `config.json`, when there is one. */
  config: z
    .object({
      architectures: z.array(z.string()),
      modelType: z.string().optional(),
      hiddenSize: z.number().optional(),
      numLayers: z.number().optional(),
      numAttentionHeads: z.number().optional(),
      vocabSize: z.number().optional(),
      maxPositionEmbeddings: z.number().optional(),
      torchDtype: z.string().optional(),
    })
    .optional(),
  files: z.array(z.object({ path: z.string(), size: z.number().int() })),
  /** Tensors from the safetensors headers (at most `limit`), weights never loaded. */
  tensors: z.array(TensorInfoSchema),
  tensorCount: z.number().int(),
  parameterCount: z.number().int(),
  dtypes: z.record(z.string(), z.number().int()),
  totalBytes: z.number().int(),
});

export const DirectoryPreviewSchema = z.object({
  kind: z.literal('directory'),
  entryCount: z.number().int(),
});

export const BinaryPreviewSchema = z.object({
  kind: z.literal('binary'),
  size: z.number().int(),
  mimeType: z.string().optional(),
});

export const PreviewSchema = z
  .discriminatedUnion('kind', [
    TextPreviewSchema,
    JsonPreviewSchema,
    CsvPreviewSchema,
    ImagePreviewSchema,
    ModelPreviewSchema,
    DirectoryPreviewSchema,
    BinaryPreviewSchema,
  ])
  .meta({ id: 'Preview' });
export type Preview = z.infer<typeof PreviewSchema>;

// ---- catalog --------------------------------------------------------------------------------

export const CatalogItemSchema = z
  .object({
    kind: z.enum(['dataset', 'model']),
    name: z.string(),
    path: z.string(),
    root: RootNameSchema,
    sizeBytes: z.number().int().nonnegative(),
    fileCount: z.number().int().nonnegative(),
    /** e.g. `jsonl`, `csv`, `parquet`, `images` for datasets; `huggingface`, `safetensors` for models. */
    format: z.string(),
    mtime: z.string(),
    /** Models: architecture from config.json and the parameter count from safetensors headers. */
    architecture: z.string().optional(),
    parameterCount: z.number().int().optional(),
    /** True when the size walk stopped at its file bound: sizeBytes and fileCount are lower bounds. */
    truncated: z.boolean().optional(),
  })
  .meta({ id: 'CatalogItem' });
export type CatalogItem = z.infer<typeof CatalogItemSchema>;

export const CatalogQuerySchema = z.object({
  kind: z.enum(['dataset', 'model']).optional(),
});

export const CatalogResponseSchema = z.object({ items: z.array(CatalogItemSchema) }).meta({ id: 'Catalog' });
export type CatalogResponse = z.infer<typeof CatalogResponseSchema>;
