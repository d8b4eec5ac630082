import type { Preview, TensorInfo } from '@aiplat/api';

/** A preview as the pane shows it: the backend's preview turned into text, a table or a summary. */
export type PreviewContent =
  | { readonly kind: 'text'; readonly text: string; readonly truncated: boolean; readonly size: number }
  | {
      readonly kind: 'table';
      readonly format: 'csv' | 'json' | 'jsonl';
      /** For JSON/JSONL: `instruction`, `conversation` or `generic` records. */
      readonly recordFormat: string | undefined;
      readonly columns: readonly string[];
      readonly rows: readonly (readonly string[])[];
      readonly truncated: boolean;
      readonly errors: readonly { line: number; message: string }[];
      readonly size: number;
    }
  | {
      readonly kind: 'image';
      readonly mimeType: string;
      readonly width: number | undefined;
      readonly height: number | undefined;
      readonly size: number;
      /** The image's bytes, fetched with the connection's token (an `<img src>` could not send it). */
      readonly data: Blob | undefined;
    }
  | {
      readonly kind: 'model';
      readonly architecture: string | undefined;
      readonly parameterCount: number;
      /** e.g. `59.5K`, `6.7B`. */
      readonly parameterLabel: string;
      readonly tensorCount: number;
      readonly totalBytes: number;
      readonly dtypes: readonly { dtype: string; tensors: number }[];
      /** config.json's summary as label/value pairs, labels as the config names them. */
      readonly config: readonly { key: string; value: string }[];
      readonly files: readonly { path: string; size: number }[];
      readonly tensors: readonly TensorInfo[];
    }
  | { readonly kind: 'directory'; readonly entryCount: number }
  | { readonly kind: 'binary'; readonly size: number; readonly mimeType: string | undefined };

/** The longest cell text kept in a table; the full record is in the file. */
export const MAX_CELL_CHARS = 300;

export function cellText(value: unknown): string {
  let text: string;
  if (value === undefined || value === null) text = '';
  else if (typeof value === 'string') text = value;
  else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') text = String(value);
  else text = JSON.stringify(value) ?? '';
  return text.length > MAX_CELL_CHARS ? `${text.slice(0, MAX_CELL_CHARS - 1)}…` : text;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Records as table rows: objects by the fields seen, anything else in one `value` column. */
export function recordsToTable(
  fields: readonly string[],
  records: readonly unknown[],
): { columns: string[]; rows: string[][] } {
  const objects = records.length > 0 && records.every(isRecord);
  if (!objects) return { columns: ['value'], rows: records.map((r) => [cellText(r)]) };
  const columns = fields.length > 0 ? [...fields] : [...new Set(records.flatMap((r) => Object.keys(r as object)))];
  return { columns, rows: records.map((r) => columns.map((c) => cellText((r as Record<string, unknown>)[c]))) };
}

/** 59520 → `59.5K`, 6_738_415_616 → `6.7B`: the way model cards count parameters. */
export function formatCount(n: number): string {
  const units: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'K'],
  ];
  for (const [size, unit] of units) {
    if (Math.abs(n) >= size) {
      const v = n / size;
      return `${v >= 100 ? Math.round(v) : Number(v.toFixed(1))}${unit}`;
    }
  }
  return String(n);
}

const CONFIG_LABELS: Record<string, string> = {
  modelType: 'model_type',
  hiddenSize: 'hidden_size',
  numLayers: 'num_hidden_layers',
  numAttentionHeads: 'num_attention_heads',
  vocabSize: 'vocab_size',
  maxPositionEmbeddings: 'max_position_embeddings',
  torchDtype: 'torch_dtype',
};

/** Turns the backend's preview into what the pane shows. `data` is an image's bytes, if fetched. */
export function toPreviewContent(preview: Preview, data?: Blob): PreviewContent {
  switch (preview.kind) {
    case 'text':
      return { kind: 'text', text: preview.content, truncated: preview.truncated, size: preview.size };
    case 'json': {
      const { columns, rows } = recordsToTable(preview.fields, preview.records);
      return {
        kind: 'table',
        format: preview.format,
        recordFormat: preview.recordFormat,
        columns,
        rows,
        truncated: preview.truncated,
        errors: preview.errors,
        size: preview.size,
      };
    }
    case 'csv': {
      const width = Math.max(preview.header.length, ...preview.rows.map((r) => r.length));
      const columns = Array.from({ length: width }, (_, i) => preview.header[i] ?? `${i + 1}`);
      return {
        kind: 'table',
        format: 'csv',
        recordFormat: undefined,
        columns,
        rows: preview.rows.map((r) => columns.map((_, i) => cellText(r[i]))),
        truncated: preview.truncated,
        errors: preview.errors ?? [],
        size: preview.size,
      };
    }
    case 'image':
      return {
        kind: 'image',
        mimeType: preview.mimeType,
        width: preview.width,
        height: preview.height,
        size: preview.size,
        data,
      };
    case 'model': {
      const config = preview.config
        ? Object.entries(CONFIG_LABELS).flatMap(([field, key]) => {
            const value = preview.config?.[field as keyof typeof preview.config];
            return value === undefined ? [] : [{ key, value: String(value) }];
          })
        : [];
      return {
        kind: 'model',
        architecture: preview.config?.architectures.join(', ') || undefined,
        parameterCount: preview.parameterCount,
        parameterLabel: formatCount(preview.parameterCount),
        tensorCount: preview.tensorCount,
        totalBytes: preview.totalBytes,
        dtypes: Object.entries(preview.dtypes).map(([dtype, tensors]) => ({ dtype, tensors })),
        config,
        files: preview.files,
        tensors: preview.tensors,
      };
    }
    case 'directory':
      return { kind: 'directory', entryCount: preview.entryCount };
    case 'binary':
      return { kind: 'binary', size: preview.size, mimeType: preview.mimeType };
  }
}
