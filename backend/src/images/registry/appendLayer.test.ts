import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDroppingProxy, type DroppingProxy } from '../../../../testing/src/images/droppingProxy.js';
import { startNginxFront } from '../../../../testing/src/images/nginxFront.js';
import { startRegistry, type RegistryServer } from '../../../../testing/src/images/registryServer.js';
import { startTokenServer, type TokenServer } from '../../../../testing/src/images/tokenServer.js';
import { selfSignedPair } from '../../../../testing/src/services/selfSignedPair.js';
import {
  layerStream,
  makeLayer,
  pushBaseImage,
  sha256,
  type TestLayer,
} from '../../../../testing/src/images/testImages.js';
import { appendLayer, type AppendLayerInput, type AppendLayerProgress } from './appendLayer.js';
import { readSmallBlob } from './blobs.js';
import { loadDockerConfigCredentials } from './credentials.js';
import { getImageConfig, getImageManifest, MEDIA_TYPES, putImageManifest, type ImageManifest } from './manifests.js';
import { RegistryClient } from './registryClient.js';
import {
  ImageNotFoundError,
  RegistryAuthError,
  RegistryOperationAbortedError,
  RegistryQuotaError,
  RegistryUnreachableError,
  UploadInterruptedError,
} from './registryErrors.js';

/*
 * appendLayer against Debian's docker-registry on loopback: anonymous, with basic and token auth,
 * over https; some requests through a proxy that counts (and can drop) what reaches the registry;
 * the saved images checked independently with skopeo and umoci.
 */

const run = promisify(execFile);
const CHUNK_BYTES = 64 * 1024;
const HISTORY = {
  created: '2026-12-05T12:00:00Z',
  created_by: 'aiplat save-image devmachine/alice-dev',
  author: 'alice',
  comment: 'pip install torch',
};
const RUN_CONFIG = {
  Env: ['PATH=/usr/bin:/bin', 'LANG=C.UTF-8'],
  Cmd: ['bash'],
  Entrypoint: ['/entrypoint.sh'],
  WorkingDir: '/work',
  Labels: { team: 'ml' },
};

let baseLayer: TestLayer;
let changeLayer: TestLayer;
let bigLayer: TestLayer;
let temp: string;

beforeAll(async () => {
  temp = await mkdtemp(path.join(os.tmpdir(), 'aiplat-append-'));
  baseLayer = await makeLayer({
    'etc/base.txt': 'from the base\n',
    'etc/gone.txt': 'deleted by the saved layer\n',
    'usr/bin/tool': '#!/bin/sh\n',
  });
  changeLayer = await makeLayer({
    'etc/base.txt': 'changed in the dev machine\n',
    'etc/.wh.gone.txt': '',
    'app/new.txt': 'installed\n',
    'app/link': { symlink: 'new.txt' },
  });
  // Random bytes do not compress: ~1 MB of gzip, 16 chunks of 64 KiB.
  bigLayer = await makeLayer({ 'data/blob.bin': randomBytes(1024 * 1024) });
});
afterAll(() => rm(temp, { recursive: true, force: true }));

function input(
  layer: TestLayer,
  overrides: Partial<AppendLayerInput> & Pick<AppendLayerInput, 'baseImage' | 'targetImage'>,
): AppendLayerInput {
  const { stream, description } = layerStream(layer);
  return { layer: stream, layerDescription: description, history: HISTORY, retryDelayMs: 0, ...overrides };
}

describe('appendLayer, anonymous registry', () => {
  let registry: RegistryServer;
  let proxy: DroppingProxy;
  let direct: RegistryClient;
  let viaProxy: RegistryClient;

  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startDroppingProxy({ host: '127.0.0.1', port: registry.port });
    direct = new RegistryClient({ url: registry.url });
    viaProxy = new RegistryClient({ url: `http://${proxy.host}` });
    await pushBaseImage(direct, 'base/os', '1', { family: 'oci', layers: [baseLayer], runConfig: RUN_CONFIG });
    await pushBaseImage(direct, 'base/docker', '1', { family: 'docker', layers: [baseLayer], runConfig: RUN_CONFIG });
  });
  afterAll(async () => {
    await proxy?.close();
    await registry?.stop();
  });

  it('mounts the base layers into another repository without sending them, and skopeo + umoci unpack base + layer', async () => {
    const before = proxy.forwardedBodyBytes('PATCH') + proxy.forwardedBodyBytes('PUT');
    const result = await appendLayer(
      viaProxy,
      input(changeLayer, { baseImage: `${proxy.host}/base/os:1`, targetImage: 'users/alice/env:v1' }),
    );
    expect(result.baseLayers).toEqual([{ digest: baseLayer.digest, size: baseLayer.size, outcome: 'mounted' }]);
    expect(result.notes).toEqual([]);
    expect(result.mediaType).toBe(MEDIA_TYPES.ociManifest);
    // What reached the registry: the new layer, the config and the manifest, not the base layer.
    const sent = proxy.forwardedBodyBytes('PATCH') + proxy.forwardedBodyBytes('PUT') - before;
    const config = await readSmallBlob(direct, 'users/alice/env', result.configDigest);
    expect(sent).toBe(changeLayer.size + config.length + result.size);

    const image = `docker://${registry.host}/users/alice/env:v1`;
    const { stdout } = await run('skopeo', ['inspect', '--tls-verify=false', image]);
    const inspected = JSON.parse(stdout) as {
      Digest: string;
      Layers: string[];
      Env: string[];
      Labels: Record<string, string>;
    };
    expect(inspected.Digest).toBe(result.digest);
    expect(inspected.Layers).toEqual([baseLayer.digest, changeLayer.digest]);
    expect(inspected.Env).toEqual(RUN_CONFIG.Env);
    expect(inspected.Labels).toEqual(RUN_CONFIG.Labels);

    const layout = path.join(temp, 'layout');
    const bundle = path.join(temp, 'bundle');
    await run('skopeo', ['copy', '--src-tls-verify=false', image, `oci:${layout}:saved`]);
    await run('umoci', ['unpack', '--rootless', '--image', `${layout}:saved`, bundle]);
    const rootfs = path.join(bundle, 'rootfs');
    expect(await readFile(path.join(rootfs, 'etc/base.txt'), 'utf8')).toBe('changed in the dev machine\n');
    expect(await readFile(path.join(rootfs, 'usr/bin/tool'), 'utf8')).toBe('#!/bin/sh\n');
    expect(await readFile(path.join(rootfs, 'app/new.txt'), 'utf8')).toBe('installed\n');
    expect(await readlink(path.join(rootfs, 'app/link'))).toBe('new.txt');
    expect((await readdir(path.join(rootfs, 'etc'))).sort()).toEqual(['base.txt']);
  });

  it('keeps a Docker base in the Docker family and its run config, adding the diff_id and history entry', async () => {
    const result = await appendLayer(
      direct,
      input(changeLayer, { baseImage: 'base/docker:1', targetImage: 'base/docker:saved' }),
    );
    expect(result.baseLayers.map((layer) => layer.outcome)).toEqual(['already-present']);
    const saved = await getImageManifest(direct, 'base/docker', 'saved');
    expect(saved.digest).toBe(result.digest);
    expect(saved.mediaType).toBe(MEDIA_TYPES.dockerManifest);
    expect(saved.manifest.config.mediaType).toBe(MEDIA_TYPES.dockerConfig);
    expect(saved.manifest.layers.map((layer) => [layer.mediaType, layer.digest])).toEqual([
      [MEDIA_TYPES.dockerLayerGzip, baseLayer.digest],
      [MEDIA_TYPES.dockerLayerGzip, changeLayer.digest],
    ]);
    const config = await getImageConfig(direct, 'base/docker', saved.manifest);
    expect(config.rootfs.diff_ids).toEqual([baseLayer.diffId, changeLayer.diffId]);
    expect(config.config).toEqual(RUN_CONFIG);
    expect(config.created).toBe(HISTORY.created);
    expect(config.history?.at(-1)).toEqual(HISTORY);
    expect(config.history).toHaveLength(2);
  });

  it('uploads a layer larger than a chunk in 64 KiB chunks, reporting acknowledged bytes', async () => {
    const progress: AppendLayerProgress[] = [];
    const result = await appendLayer(
      direct,
      input(bigLayer, {
        baseImage: 'base/os:1',
        targetImage: 'big/env:v1',
        chunkSizeBytes: CHUNK_BYTES,
        onProgress: (update) => progress.push(update),
      }),
    );
    expect(result.layer).toMatchObject({ digest: bigLayer.digest, size: bigLayer.size, resumes: 0 });
    const uploaded = progress
      .filter((update) => update.phase === 'uploading-layer')
      .map((update) => update.layerBytesUploaded);
    expect(uploaded.filter((bytes) => bytes > 0)).toHaveLength(Math.ceil(bigLayer.size / CHUNK_BYTES));
    expect(uploaded).toEqual([...uploaded].sort((a, b) => a - b));
    expect(uploaded.at(-1)).toBe(bigLayer.size);
    expect(progress.map((update) => update.phase)).toContain('writing-manifest');
    expect(sha256(await readSmallBlob(direct, 'big/env', bigLayer.digest))).toBe(bigLayer.digest);
  });

  it('resumes after a dropped connection from the acknowledged offset, not from 0', async () => {
    const patchedBefore = proxy.forwardedBodyBytes('PATCH');
    // The connection breaks 40 KiB into the fourth chunk; the first three were acknowledged.
    proxy.dropOnce({ method: 'PATCH', afterBodyBytes: 3 * CHUNK_BYTES + 40 * 1024 });
    const result = await appendLayer(
      viaProxy,
      input(bigLayer, { baseImage: 'base/os:1', targetImage: 'resumed/env:v1', chunkSizeBytes: CHUNK_BYTES }),
    );
    expect(proxy.dropped()?.method).toBe('PATCH');
    expect(result.layer.resumes).toBe(1);
    // Each byte of the layer reached the registry exactly once (a restart from 0 would send more).
    expect(proxy.forwardedBodyBytes('PATCH') - patchedBefore).toBe(bigLayer.size);
    const resumedAt = proxy
      .requests()
      .find((request) => request.method === 'GET' && request.target.includes('/blobs/uploads/'));
    expect(resumedAt).toBeDefined();
    expect(sha256(await readSmallBlob(direct, 'resumed/env', bigLayer.digest))).toBe(bigLayer.digest);
    expect((await getImageManifest(direct, 'resumed/env', 'v1')).digest).toBe(result.digest);
  });

  it('cancelled mid-upload: rejects with an AbortError, deletes the upload session, writes no tag', async () => {
    const controller = new AbortController();
    const requestsBefore = proxy.requests().length;
    const { stream, description } = layerStream(bigLayer, 16 * 1024, (index) => {
      if (index === 10) controller.abort();
    });
    const pushing = appendLayer(viaProxy, {
      baseImage: 'base/os:1',
      targetImage: 'cancelled/env:v1',
      layer: stream,
      layerDescription: description,
      history: HISTORY,
      chunkSizeBytes: CHUNK_BYTES,
      signal: controller.signal,
    });
    await expect(pushing).rejects.toBeInstanceOf(RegistryOperationAbortedError);
    await expect(pushing).rejects.toMatchObject({ name: 'AbortError' });
    const requests = proxy.requests().slice(requestsBefore);
    const patch = requests.find((request) => request.method === 'PATCH');
    expect(patch).toBeDefined();
    expect(requests.at(-1)?.method).toBe('DELETE');
    const status = await fetch(`${registry.url}${patch!.target}`);
    expect(status.status).toBe(404);
    expect((await fetch(`${registry.url}/v2/cancelled/env/manifests/v1`)).status).toBe(404);
    const uploads = path.join(registry.storageDir, 'docker/registry/v2/repositories/cancelled/env/_uploads');
    // The session's bytes are gone; distribution 2.8 leaves only its own hash-state file behind.
    const left = await readdir(uploads, { recursive: true }).catch(() => []);
    expect(left.filter((file) => /(^|\/)(data|startedat)$/.test(file))).toEqual([]);
  });

  it('gives up after its bounded retries when the registry stays unreachable mid-upload', async () => {
    const doomed = await startDroppingProxy({ host: '127.0.0.1', port: registry.port });
    const { stream, description } = layerStream(bigLayer, 16 * 1024, async (index) => {
      // Two chunks in, the path to the registry goes away for good.
      if (index === 8) await doomed.close();
    });
    const pushing = appendLayer(new RegistryClient({ url: `http://${doomed.host}` }), {
      baseImage: 'base/os:1',
      targetImage: 'gone/env:v1',
      layer: stream,
      layerDescription: description,
      history: HISTORY,
      chunkSizeBytes: CHUNK_BYTES,
      maxRetries: 2,
      retryDelayMs: 0,
    });
    await expect(pushing).rejects.toBeInstanceOf(UploadInterruptedError);
    await expect(pushing).rejects.toThrow(
      `the connection to ${doomed.host} kept breaking while uploading to gone/env (2 retries)`,
    );
  });

  it('a chunk the registry stored only in part cannot be resumed on distribution 2.8: a clear error, no tag', async () => {
    // The registry keeps the 10 KiB that arrived, so its upload no longer matches its signed state.
    proxy.dropOnce({ method: 'PATCH', afterBodyBytes: 2 * CHUNK_BYTES + 10 * 1024, deliverPartialBody: true });
    const pushing = appendLayer(
      viaProxy,
      input(bigLayer, { baseImage: 'base/os:1', targetImage: 'halfstored/env:v1', chunkSizeBytes: CHUNK_BYTES }),
    );
    await expect(pushing).rejects.toBeInstanceOf(UploadInterruptedError);
    await expect(pushing).rejects.toThrow(
      /broke mid-upload and the registry discarded the upload \(BLOB_UPLOAD_INVALID\).*save again/,
    );
    expect((await fetch(`${registry.url}/v2/halfstored/env/manifests/v1`)).status).toBe(404);
  });

  it('behind nginx with a body size limit: the chunk over it is refused as a size limit that says what to do, no tag', async () => {
    const front = await startNginxFront({ host: '127.0.0.1', port: registry.port }, '256k');
    try {
      const limited = new RegistryClient({ url: front.url });
      const refused = await appendLayer(
        limited,
        input(bigLayer, { baseImage: 'base/os:1', targetImage: 'limited/env:v1', chunkSizeBytes: 512 * 1024 }),
      ).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(RegistryQuotaError);
      expect((refused as Error).message).toMatch(/413.*size limit or quota.*ask its administrator to raise the limit/);
      await expect(getImageManifest(direct, 'limited/env', 'v1')).rejects.toBeInstanceOf(ImageNotFoundError);
    } finally {
      await front.close();
    }
  });

  it('copies a base layer, and says so, only when the registry does not mount it', async () => {
    proxy.ignoreMounts(true);
    try {
      const requestsBefore = proxy.requests().length;
      const result = await appendLayer(
        viaProxy,
        input(changeLayer, { baseImage: 'base/os:1', targetImage: 'copied/env:v1' }),
      );
      expect(result.baseLayers).toEqual([{ digest: baseLayer.digest, size: baseLayer.size, outcome: 'copied' }]);
      expect(result.notes).toEqual([
        `${proxy.host} did not mount ${baseLayer.digest} from base/os into copied/env, so it was copied (${baseLayer.size} bytes)`,
      ]);
      const requests = proxy.requests().slice(requestsBefore);
      const mount = requests.findIndex((request) => request.target.includes('mount='));
      // The session the refused mount opened is deleted, then the layer is read from the base.
      expect(requests.slice(mount + 1, mount + 3).map((request) => `${request.method} ${request.target}`)).toEqual([
        expect.stringMatching(/^DELETE \/v2\/copied\/env\/blobs\/uploads\//),
        `GET /v2/base/os/blobs/${baseLayer.digest}`,
      ]);
      expect(sha256(await readSmallBlob(direct, 'copied/env', baseLayer.digest))).toBe(baseLayer.digest);
    } finally {
      proxy.ignoreMounts(false);
    }
  });

  it('takes the linux/amd64 image of a multi-platform base, and says so', async () => {
    const amd64 = await getImageManifest(direct, 'base/os', '1');
    const entry = { mediaType: MEDIA_TYPES.ociManifest, digest: amd64.digest, size: amd64.size };
    const index = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociIndex,
      manifests: [
        { ...entry, platform: { os: 'linux', architecture: 'arm64' } },
        { ...entry, platform: { os: 'linux', architecture: 'amd64' } },
      ],
    };
    await putImageManifest(direct, 'base/os', 'multi', index as unknown as ImageManifest, MEDIA_TYPES.ociIndex);
    const result = await appendLayer(
      direct,
      input(changeLayer, { baseImage: 'base/os:multi', targetImage: 'multi/env:v1' }),
    );
    expect(result.notes).toEqual([
      `${registry.host}/base/os:multi is a multi-platform image; its linux/amd64 image ${amd64.digest} was used`,
    ]);
    expect(result.mediaType).toBe(MEDIA_TYPES.ociManifest);
  });

  it('says which base image does not exist', async () => {
    const pushing = appendLayer(direct, input(changeLayer, { baseImage: 'base/nothing:1', targetImage: 'x/y:z' }));
    await expect(pushing).rejects.toBeInstanceOf(ImageNotFoundError);
    await expect(pushing).rejects.toThrow(`the base image ${registry.host}/base/nothing:1 does not exist`);
  });

  it('names the registry it cannot reach', async () => {
    const closed = await startDroppingProxy({ host: '127.0.0.1', port: registry.port });
    await closed.close();
    const client = new RegistryClient({ url: `http://${closed.host}` });
    const pushing = appendLayer(client, input(changeLayer, { baseImage: 'base/os:1', targetImage: 'x/y:z' }));
    await expect(pushing).rejects.toBeInstanceOf(RegistryUnreachableError);
    await expect(pushing).rejects.toThrow(new RegExp(`^cannot reach ${closed.host}: .*ECONNREFUSED`));
  });
});

describe('appendLayer, registry with basic auth', () => {
  let registry: RegistryServer;

  beforeAll(async () => {
    registry = await startRegistry({ users: { alice: 'right-password' } });
    const client = new RegistryClient({
      url: registry.url,
      credentials: { username: 'alice', password: 'right-password' },
    });
    await pushBaseImage(client, 'base/os', '1', { family: 'oci', layers: [baseLayer], runConfig: RUN_CONFIG });
  });
  afterAll(() => registry?.stop());

  it('pushes with the credentials of a docker config.json', async () => {
    const configFile = path.join(temp, 'config.json');
    const auth = Buffer.from('alice:right-password').toString('base64');
    await writeFile(configFile, JSON.stringify({ auths: { [`http://${registry.host}`]: { auth } } }));
    const credentials = await loadDockerConfigCredentials(configFile, registry.host);
    const client = new RegistryClient({ url: registry.url, ...(credentials ? { credentials } : {}) });
    const result = await appendLayer(
      client,
      input(changeLayer, { baseImage: 'base/os:1', targetImage: 'alice/env:v1' }),
    );
    expect(result.baseLayers.map((layer) => layer.outcome)).toEqual(['mounted']);
    const { stdout } = await run('skopeo', [
      'inspect',
      '--tls-verify=false',
      '--authfile',
      configFile,
      `docker://${registry.host}/alice/env:v1`,
    ]);
    expect((JSON.parse(stdout) as { Digest: string }).Digest).toBe(result.digest);
  });

  it('wrong credentials: an auth error naming the registry', async () => {
    const client = new RegistryClient({ url: registry.url, credentials: { username: 'alice', password: 'wrong' } });
    const pushing = appendLayer(client, input(changeLayer, { baseImage: 'base/os:1', targetImage: 'alice/env:v2' }));
    await expect(pushing).rejects.toBeInstanceOf(RegistryAuthError);
    await expect(pushing).rejects.toThrow(`wrong credentials for ${registry.host}`);
  });

  it('no credentials: an auth error saying the registry needs a login', async () => {
    const client = new RegistryClient({ url: registry.url });
    const pushing = appendLayer(client, input(changeLayer, { baseImage: 'base/os:1', targetImage: 'alice/env:v3' }));
    await expect(pushing).rejects.toBeInstanceOf(RegistryAuthError);
    await expect(pushing).rejects.toThrow(`${registry.host} requires a login`);
  });
});

describe('appendLayer, registry with Docker token auth', () => {
  let tokens: TokenServer;
  let registry: RegistryServer;

  beforeAll(async () => {
    tokens = await startTokenServer({ alice: 'right-password' });
    registry = await startRegistry({ tokenAuth: tokens });
    const client = new RegistryClient({
      url: registry.url,
      credentials: { username: 'alice', password: 'right-password' },
    });
    await pushBaseImage(client, 'base/os', '1', { family: 'oci', layers: [baseLayer], runConfig: RUN_CONFIG });
  });
  afterAll(async () => {
    await registry?.stop();
    await tokens?.stop();
  });

  it('asks the token service once per scope set, with the credentials, and pushes', async () => {
    const before = tokens.requests().length;
    const client = new RegistryClient({
      url: registry.url,
      credentials: { username: 'alice', password: 'right-password' },
    });
    const result = await appendLayer(
      client,
      input(bigLayer, { baseImage: 'base/os:1', targetImage: 'alice/tokened:v1', chunkSizeBytes: CHUNK_BYTES }),
    );
    expect(result.baseLayers.map((layer) => layer.outcome)).toEqual(['mounted']);
    const asked = tokens.requests().slice(before);
    expect(asked.every((request) => request.user === 'alice' && request.service === tokens.service)).toBe(true);
    const scopeSets = asked.map((request) => [...request.scopes].sort().join(' '));
    // 16 chunks and a config and a manifest, yet each scope set's token was fetched once.
    expect(new Set(scopeSets).size).toBe(scopeSets.length);
    expect(scopeSets).toContain('repository:alice/tokened:pull,push');
    expect(scopeSets).toContain('repository:alice/tokened:pull,push repository:base/os:pull');
    expect((await getImageManifest(client, 'alice/tokened', 'v1')).digest).toBe(result.digest);
  });

  it('wrong credentials at the token service: an auth error naming the registry', async () => {
    const client = new RegistryClient({ url: registry.url, credentials: { username: 'alice', password: 'wrong' } });
    const pushing = appendLayer(client, input(changeLayer, { baseImage: 'base/os:1', targetImage: 'alice/env:v9' }));
    await expect(pushing).rejects.toBeInstanceOf(RegistryAuthError);
    await expect(pushing).rejects.toThrow(`wrong credentials for ${registry.host}: the registry refused user "alice"`);
  });

  it('anonymous: the token grants nothing, so an auth error saying a login is needed', async () => {
    const pushing = appendLayer(
      new RegistryClient({ url: registry.url }),
      input(changeLayer, { baseImage: 'base/os:1', targetImage: 'alice/env:v9' }),
    );
    await expect(pushing).rejects.toThrow(`${registry.host} requires a login`);
  });
});

describe('appendLayer, registry over https with a self-signed certificate', () => {
  let registry: RegistryServer;

  beforeAll(async () => {
    const pair = selfSignedPair('localhost');
    const certificateFile = path.join(temp, 'registry.crt');
    const keyFile = path.join(temp, 'registry.key');
    await writeFile(certificateFile, pair.certificate);
    await writeFile(keyFile, pair.privateKey);
    registry = await startRegistry({ tls: { certificateFile, keyFile } });
  });
  afterAll(() => registry?.stop());

  it('refuses the certificate with an error naming the registry and the TLS failure', async () => {
    const pushing = appendLayer(
      new RegistryClient({ url: registry.url }),
      input(changeLayer, { baseImage: 'base/os:1', targetImage: 'x/y:z' }),
    );
    await expect(pushing).rejects.toBeInstanceOf(RegistryUnreachableError);
    await expect(pushing).rejects.toThrow(new RegExp(`^cannot reach ${registry.host}: .*self[- ]signed certificate`));
  });

  it('pushes when the registry is marked insecure', async () => {
    const client = new RegistryClient({ url: registry.url, insecure: true });
    await pushBaseImage(client, 'base/os', '1', { family: 'oci', layers: [baseLayer] });
    const result = await appendLayer(client, input(changeLayer, { baseImage: 'base/os:1', targetImage: 'tls/env:v1' }));
    expect((await getImageManifest(client, 'tls/env', 'v1')).digest).toBe(result.digest);
  });
});
