import { blobExists, mountBlob, openBlobStream, pushSmallBlob } from './blobs.js';
import { uploadBlobInChunks } from './blobUpload.js';
import {
  getImageConfig,
  getImageManifest,
  MEDIA_TYPES,
  putImageManifest,
  type Descriptor,
  type HistoryEntry,
  type ImageConfig,
  type ImageManifest,
  type ManifestFamily,
} from './manifests.js';
import { formatImageReference, manifestReference, parseImageReference, type ImageReference } from './references.js';
import type { RegistryClient } from './registryClient.js';
import { isAbortError, RegistryOperationAbortedError } from './registryErrors.js';
import { InvalidImageReferenceError } from './references.js';

/*
 * "Save as image" on the registry side: a new image = a base image + one layer, pushed to a tag in
 * the same registry. Base layers already in the target repository are skipped, the others mounted
 * from the base's repository (never uploaded again; a registry that cannot mount gets a streamed
 * copy, reported in the result). The new layer streams in chunks; the config gains its diff_id and
 * history entry and keeps everything else (env, cmd, entrypoint, working dir, labels).
 */

export interface LayerDescription {
  /** sha256 of the compressed layer, as uploaded */
  digest: string;
  /** sha256 of the uncompressed tar */
  diffId: string;
  /** compressed bytes */
  size: number;
}

export type AppendLayerPhase =
  'reading-base' | 'base-layers' | 'uploading-layer' | 'writing-config' | 'writing-manifest';

export interface AppendLayerProgress {
  phase: AppendLayerPhase;
  /** Bytes of the new layer the registry has acknowledged. */
  layerBytesUploaded: number;
  baseLayersDone: number;
  baseLayersTotal: number;
}

export interface AppendLayerInput {
  /** `registry/repo:tag` or `registry/repo@sha256:…`; without a registry, the client's. */
  baseImage: string;
  /** `repo:tag` in the client's registry. */
  targetImage: string;
  /** The gzip-compressed layer tar, read once. */
  layer: AsyncIterable<Buffer>;
  /** Resolved when `layer` has ended. */
  layerDescription: Promise<LayerDescription>;
  history: Required<Pick<HistoryEntry, 'created'>> & Omit<HistoryEntry, 'empty_layer'>;
  signal?: AbortSignal;
  onProgress?: (progress: AppendLayerProgress) => void;
  chunkSizeBytes?: number;
  maxRetries?: number;
  retryDelayMs?: number;
}

export type BaseLayerOutcome = 'already-present' | 'mounted' | 'copied';

export interface AppendLayerResult {
  /** `registry/repo:tag` */
  image: string;
  /** The new manifest's digest, size and media type. */
  digest: string;
  size: number;
  mediaType: string;
  configDigest: string;
  layer: LayerDescription & { resumes: number };
  baseLayers: { digest: string; size: number; outcome: BaseLayerOutcome }[];
  /** What the user should know: the platform chosen from a multi-platform base, layers copied not mounted. */
  notes: string[];
}

/**
 * On failure before the layer upload started, the layer stream is closed (a Node stream is
 * destroyed), so its producer does not wait for a reader forever.
 */
export async function appendLayer(client: RegistryClient, input: AppendLayerInput): Promise<AppendLayerResult> {
  // A producer that fails rejects this promise too; the stream's error is the one reported.
  input.layerDescription.catch(() => undefined);
  try {
    return await appendLayerUnlessAborted(client, input);
  } catch (error) {
    await input.layer[Symbol.asyncIterator]()
      .return?.()
      .catch(() => undefined);
    if (input.signal?.aborted || isAbortError(error)) throw new RegistryOperationAbortedError(client.registry);
    throw error;
  }
}

async function appendLayerUnlessAborted(client: RegistryClient, input: AppendLayerInput): Promise<AppendLayerResult> {
  const { signal } = input;
  const base = parseImageReference(input.baseImage, client.registry);
  const target = parseImageReference(input.targetImage, client.registry);
  for (const ref of [base, target]) {
    if (ref.registry !== client.registry) {
      throw new InvalidImageReferenceError(
        `${formatImageReference(ref)} is not in the platform's registry ${client.registry}: images are read from and saved to that registry only`,
      );
    }
  }
  if (!target.tag || target.digest) {
    throw new InvalidImageReferenceError(`save the image under a tag (repo:tag), not ${input.targetImage}`);
  }
  const notes: string[] = [];
  const progress: AppendLayerProgress = {
    phase: 'reading-base',
    layerBytesUploaded: 0,
    baseLayersDone: 0,
    baseLayersTotal: 0,
  };
  const report = (change: Partial<AppendLayerProgress>): void => {
    Object.assign(progress, change);
    input.onProgress?.({ ...progress });
  };
  report({});

  const baseManifest = await getImageManifest(client, base.repository, manifestReference(base), signal);
  if (baseManifest.platformNote) notes.push(baseManifest.platformNote);
  const baseConfig = await getImageConfig(client, base.repository, baseManifest.manifest, signal);

  report({ phase: 'base-layers', baseLayersTotal: baseManifest.manifest.layers.length });
  const baseLayers: AppendLayerResult['baseLayers'] = [];
  for (const layer of baseManifest.manifest.layers) {
    const outcome = await ensureBaseLayer(client, base, target, layer, signal);
    if (outcome === 'copied') {
      notes.push(
        `${client.registry} did not mount ${layer.digest} from ${base.repository} into ${target.repository}, so it was copied (${layer.size} bytes)`,
      );
    }
    baseLayers.push({ digest: layer.digest, size: layer.size, outcome });
    report({ baseLayersDone: baseLayers.length });
  }

  report({ phase: 'uploading-layer' });
  const uploaded = await uploadBlobInChunks(
    client,
    target.repository,
    input.layer,
    input.layerDescription.then((description) => description.digest),
    {
      ...(signal ? { signal } : {}),
      ...(input.chunkSizeBytes ? { chunkSizeBytes: input.chunkSizeBytes } : {}),
      ...(input.maxRetries !== undefined ? { maxRetries: input.maxRetries } : {}),
      ...(input.retryDelayMs !== undefined ? { retryDelayMs: input.retryDelayMs } : {}),
      onProgress: (bytes) => report({ layerBytesUploaded: bytes }),
    },
  );
  const description = await input.layerDescription;

  report({ phase: 'writing-config' });
  const family = baseManifest.family;
  const config = Buffer.from(JSON.stringify(extendedConfig(baseConfig, description.diffId, input.history)));
  const configDigest = await pushSmallBlob(client, target.repository, config, signal);

  report({ phase: 'writing-manifest' });
  const manifest = extendedManifest(
    baseManifest.manifest,
    family,
    { digest: configDigest, size: config.length },
    {
      digest: uploaded.digest,
      size: uploaded.size,
    },
  );
  const mediaType = family === 'oci' ? MEDIA_TYPES.ociManifest : MEDIA_TYPES.dockerManifest;
  const put = await putImageManifest(client, target.repository, target.tag, manifest, mediaType, signal);
  return {
    image: formatImageReference(target),
    digest: put.digest,
    size: put.size,
    mediaType,
    configDigest,
    layer: { ...description, size: uploaded.size, resumes: uploaded.resumes },
    baseLayers,
    notes,
  };
}

async function ensureBaseLayer(
  client: RegistryClient,
  base: ImageReference,
  target: ImageReference,
  layer: Descriptor,
  signal: AbortSignal | undefined,
): Promise<BaseLayerOutcome> {
  if (await blobExists(client, target.repository, layer.digest, signal)) return 'already-present';
  if ((await mountBlob(client, target.repository, layer.digest, base.repository, signal)) === 'mounted') {
    return 'mounted';
  }
  const stream = await openBlobStream(client, base.repository, layer.digest, signal);
  await uploadBlobInChunks(client, target.repository, stream, layer.digest, signal ? { signal } : {});
  return 'copied';
}

/** The base config with the new layer's diff_id and history entry; `created` is the save's time. */
export function extendedConfig(base: ImageConfig, diffId: string, history: AppendLayerInput['history']): ImageConfig {
  const entry: HistoryEntry = { created: history.created };
  if (history.created_by) entry.created_by = history.created_by;
  if (history.author) entry.author = history.author;
  if (history.comment) entry.comment = history.comment;
  return {
    ...base,
    created: history.created,
    rootfs: { type: 'layers', diff_ids: [...base.rootfs.diff_ids, diffId] },
    history: [...(base.history ?? []), entry],
  };
}

/** The base manifest in the same family with the new config and one more layer. */
export function extendedManifest(
  base: ImageManifest,
  family: ManifestFamily,
  config: { digest: string; size: number },
  layer: { digest: string; size: number },
): ImageManifest {
  const oci = family === 'oci';
  return {
    ...base,
    schemaVersion: 2,
    mediaType: oci ? MEDIA_TYPES.ociManifest : MEDIA_TYPES.dockerManifest,
    config: { mediaType: oci ? MEDIA_TYPES.ociConfig : MEDIA_TYPES.dockerConfig, ...config },
    layers: [...base.layers, { mediaType: oci ? MEDIA_TYPES.ociLayerGzip : MEDIA_TYPES.dockerLayerGzip, ...layer }],
  };
}
