import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import type { LayerDescription } from '../../../backend/src/images/registry/appendLayer.js';
import { pushSmallBlob } from '../../../backend/src/images/registry/blobs.js';
import { uploadBlobInChunks } from '../../../backend/src/images/registry/blobUpload.js';
import {
  MEDIA_TYPES,
  putImageManifest,
  type ImageConfig,
  type ManifestFamily,
} from '../../../backend/src/images/registry/manifests.js';
import type { RegistryClient } from '../../../backend/src/images/registry/registryClient.js';

/*
 * Tiny images for the registry tests, made without Podman: a layer is GNU tar of a temporary tree
 * (files, symlinks, whiteouts as plain `.wh.` files) gzipped in memory; a base image is that layer,
 * a config and a manifest pushed with the client's own low-level operations.
 */

const run = promisify(execFile);

export interface TestLayer extends LayerDescription {
  gzip: Buffer;
}

/** `files`: path → content; a value `{ symlink }` makes a symbolic link. */
export async function makeLayer(files: Record<string, string | Buffer | { symlink: string }>): Promise<TestLayer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-layer-'));
  try {
    for (const [name, content] of Object.entries(files)) {
      const file = path.join(dir, name);
      await mkdir(path.dirname(file), { recursive: true });
      if (typeof content === 'object' && 'symlink' in content) await symlink(content.symlink, file);
      else await writeFile(file, content);
    }
    const { stdout } = await run(
      'tar',
      ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=@0', '-C', dir, '-cf', '-', '.'],
      { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
    );
    const gzip = gzipSync(stdout);
    return { gzip, digest: sha256(gzip), diffId: sha256(stdout), size: gzip.length };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/**
 * `bytes` as the stream appendLayer takes, in pieces of `pieceBytes`, and the promise of its
 * description resolved only once the stream has ended (as the real tar+gzip producer does).
 */
export function layerStream(
  layer: TestLayer,
  pieceBytes = 16 * 1024,
  beforePiece?: (index: number) => Promise<void> | void,
): { stream: AsyncIterable<Buffer>; description: Promise<LayerDescription> } {
  let resolveDescription!: (description: LayerDescription) => void;
  const description = new Promise<LayerDescription>((resolve) => (resolveDescription = resolve));
  async function* stream(): AsyncGenerator<Buffer> {
    for (let offset = 0, index = 0; offset < layer.gzip.length; offset += pieceBytes, index += 1) {
      await beforePiece?.(index);
      yield layer.gzip.subarray(offset, offset + pieceBytes);
    }
    resolveDescription({ digest: layer.digest, diffId: layer.diffId, size: layer.size });
  }
  return { stream: stream(), description };
}

export interface BaseImageOptions {
  family: ManifestFamily;
  layers: TestLayer[];
  /** The config's `config` (Env, Cmd, Entrypoint, WorkingDir, Labels). */
  runConfig?: Record<string, unknown>;
}

/** Pushes a base image to `repository:tag`; returns its manifest digest. */
export async function pushBaseImage(
  client: RegistryClient,
  repository: string,
  tag: string,
  options: BaseImageOptions,
): Promise<string> {
  const oci = options.family === 'oci';
  for (const layer of options.layers) {
    await uploadBlobInChunks(
      client,
      repository,
      (async function* () {
        yield layer.gzip;
      })(),
      layer.digest,
    );
  }
  const config: ImageConfig = {
    created: '2026-01-01T00:00:00Z',
    architecture: 'amd64',
    os: 'linux',
    config: options.runConfig ?? {},
    rootfs: { type: 'layers', diff_ids: options.layers.map((layer) => layer.diffId) },
    history: options.layers.map((_, index) => ({ created: '2026-01-01T00:00:00Z', created_by: `base layer ${index}` })),
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  const configDigest = await pushSmallBlob(client, repository, configBytes);
  const mediaType = oci ? MEDIA_TYPES.ociManifest : MEDIA_TYPES.dockerManifest;
  const put = await putImageManifest(
    client,
    repository,
    tag,
    {
      schemaVersion: 2,
      mediaType,
      config: {
        mediaType: oci ? MEDIA_TYPES.ociConfig : MEDIA_TYPES.dockerConfig,
        digest: configDigest,
        size: configBytes.length,
      },
      layers: options.layers.map((layer) => ({
        mediaType: oci ? MEDIA_TYPES.ociLayerGzip : MEDIA_TYPES.dockerLayerGzip,
        digest: layer.digest,
        size: layer.size,
      })),
    },
    mediaType,
  );
  return put.digest;
}
