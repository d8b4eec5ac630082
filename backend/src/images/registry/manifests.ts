import { createHash } from 'node:crypto';
import { repositoryScope } from './auth.js';
import { readSmallBlob } from './blobs.js';
import { discard, type RegistryClient } from './registryClient.js';
import {
  errorForResponse,
  ImageNotFoundError,
  RegistryProtocolError,
  UnsupportedManifestError,
} from './registryErrors.js';

/*
 * Image manifests and configs in the two families registries serve: OCI and Docker v2 schema 2.
 * An index (OCI) or manifest list (Docker) is resolved to its linux/amd64 image, the platform the
 * engines run; schema 1 and other kinds are refused with a message that says so.
 */

export const MEDIA_TYPES = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

export type ManifestFamily = 'oci' | 'docker';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: { architecture?: string; os?: string; variant?: string };
  [field: string]: unknown;
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
  [field: string]: unknown;
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  comment?: string;
  author?: string;
  empty_layer?: boolean;
}

/** The image config; fields this client does not change are kept as they are. */
export interface ImageConfig {
  created?: string;
  architecture?: string;
  os?: string;
  config?: Record<string, unknown>;
  rootfs: { type: 'layers'; diff_ids: string[] };
  history?: HistoryEntry[];
  [field: string]: unknown;
}

export interface FetchedManifest {
  manifest: ImageManifest;
  family: ManifestFamily;
  mediaType: string;
  digest: string;
  size: number;
  /** Set when the reference named an index or manifest list: which of its images was taken and why. */
  platformNote?: string;
}

const ACCEPT = [
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.dockerManifest,
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.dockerManifestList,
];
const PLATFORM = { os: 'linux', architecture: 'amd64' };

export async function getImageManifest(
  client: RegistryClient,
  repository: string,
  reference: string,
  signal?: AbortSignal,
): Promise<FetchedManifest> {
  const image = `${client.registry}/${repository}${reference.includes(':') ? '@' : ':'}${reference}`;
  const first = await fetchManifest(client, repository, reference, image, signal);
  if (first.mediaType !== MEDIA_TYPES.ociIndex && first.mediaType !== MEDIA_TYPES.dockerManifestList) {
    return asImageManifest(first, image, client.registry);
  }
  const entries = (first.parsed as { manifests?: Descriptor[] }).manifests ?? [];
  const chosen = entries.find(
    (entry) => entry.platform?.os === PLATFORM.os && entry.platform.architecture === PLATFORM.architecture,
  );
  if (!chosen) {
    const platforms = entries.map((entry) => `${entry.platform?.os ?? '?'}/${entry.platform?.architecture ?? '?'}`);
    throw new UnsupportedManifestError(
      `${image} is a multi-platform image without linux/amd64 (it has ${platforms.join(', ') || 'no images'}): choose an image built for linux/amd64`,
      client.registry,
    );
  }
  const resolved = asImageManifest(
    await fetchManifest(client, repository, chosen.digest, image, signal),
    image,
    client.registry,
  );
  return {
    ...resolved,
    platformNote: `${image} is a multi-platform image; its linux/amd64 image ${chosen.digest} was used`,
  };
}

export async function getImageConfig(
  client: RegistryClient,
  repository: string,
  manifest: ImageManifest,
  signal?: AbortSignal,
): Promise<ImageConfig> {
  const bytes = await readSmallBlob(client, repository, manifest.config.digest, signal);
  const config = JSON.parse(bytes.toString('utf8')) as ImageConfig;
  if (config.rootfs?.type !== 'layers' || !Array.isArray(config.rootfs.diff_ids)) {
    throw new UnsupportedManifestError(
      `the config of ${client.registry}/${repository} has no rootfs.diff_ids: it is not a container image`,
      client.registry,
    );
  }
  return config;
}

/** Puts `manifest` under `reference` (a tag); returns its digest and size. */
export async function putImageManifest(
  client: RegistryClient,
  repository: string,
  reference: string,
  manifest: ImageManifest,
  mediaType: string,
  signal?: AbortSignal,
): Promise<{ digest: string; size: number }> {
  const body = Buffer.from(JSON.stringify(manifest));
  const response = await client.expect(
    'PUT',
    `/v2/${repository}/manifests/${reference}`,
    {
      scopes: [repositoryScope(repository, 'pull,push')],
      headers: { 'content-type': mediaType },
      body,
      ...(signal ? { signal } : {}),
    },
    [201],
    `put the manifest of ${repository}:${reference}`,
  );
  await discard(response);
  return { digest: sha256Digest(body), size: body.length };
}

export function sha256Digest(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

interface RawManifest {
  parsed: { mediaType?: string; schemaVersion?: number };
  mediaType: string;
  digest: string;
  size: number;
}

async function fetchManifest(
  client: RegistryClient,
  repository: string,
  reference: string,
  image: string,
  signal: AbortSignal | undefined,
): Promise<RawManifest> {
  const response = await client.request('GET', `/v2/${repository}/manifests/${reference}`, {
    scopes: [repositoryScope(repository, 'pull')],
    headers: { accept: ACCEPT.join(', ') },
    ...(signal ? { signal } : {}),
  });
  const body = Buffer.from(await response.arrayBuffer());
  if (response.status === 404) {
    throw new ImageNotFoundError(
      `the base image ${image} does not exist in ${client.registry}: check its name and tag`,
      client.registry,
      404,
    );
  }
  if (response.status !== 200) {
    throw errorForResponse(client.registry, `read the manifest of ${image}`, response.status, body.toString('utf8'));
  }
  let parsed: RawManifest['parsed'];
  try {
    parsed = JSON.parse(body.toString('utf8')) as RawManifest['parsed'];
  } catch {
    throw new RegistryProtocolError(`the manifest of ${image} is not JSON`, client.registry);
  }
  const headerType = response.headers.get('content-type')?.split(';')[0]?.trim();
  const mediaType = parsed.mediaType ?? headerType ?? '';
  return { parsed, mediaType, digest: sha256Digest(body), size: body.length };
}

function asImageManifest(raw: RawManifest, image: string, registry: string): FetchedManifest {
  const family: ManifestFamily | undefined =
    raw.mediaType === MEDIA_TYPES.ociManifest
      ? 'oci'
      : raw.mediaType === MEDIA_TYPES.dockerManifest
        ? 'docker'
        : undefined;
  const manifest = raw.parsed as ImageManifest;
  if (!family || raw.parsed.schemaVersion !== 2 || !manifest.config || !Array.isArray(manifest.layers)) {
    throw new UnsupportedManifestError(
      `${image} has a manifest of type "${raw.mediaType || 'unknown'}" (schema ${raw.parsed.schemaVersion ?? '?'}), which cannot be extended: use an OCI or Docker v2 schema 2 image (e.g. re-push it with skopeo copy --format oci)`,
      registry,
    );
  }
  return { manifest, family, mediaType: raw.mediaType, digest: raw.digest, size: raw.size };
}
