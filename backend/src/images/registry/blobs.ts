import { createHash } from 'node:crypto';
import { repositoryScope } from './auth.js';
import { discard, type RegistryClient } from './registryClient.js';
import { RegistryProtocolError } from './registryErrors.js';

/*
 * The blob operations that are one or two requests: does a repository have a blob, mount one from
 * another repository, put a small blob (a config) whole, read one as a stream, and the upload
 * sessions the chunked upload (blobUpload.ts) and the mount open and delete.
 */

const push = (repository: string): string => repositoryScope(repository, 'pull,push');

export async function blobExists(
  client: RegistryClient,
  repository: string,
  digest: string,
  signal?: AbortSignal,
): Promise<boolean> {
  const response = await client.expect(
    'HEAD',
    `/v2/${repository}/blobs/${digest}`,
    { scopes: [repositoryScope(repository, 'pull')], ...(signal ? { signal } : {}) },
    [200, 404],
    `check for blob ${digest} in ${repository}`,
  );
  await discard(response);
  return response.status === 200;
}

/**
 * Asks the registry to link `digest` from `fromRepository` into `repository` without sending it.
 * A registry that cannot (it does not support mounting, or cannot read the source) opens an upload
 * session instead (202), which is deleted here: the caller decides how to get the blob there.
 */
export async function mountBlob(
  client: RegistryClient,
  repository: string,
  digest: string,
  fromRepository: string,
  signal?: AbortSignal,
): Promise<'mounted' | 'not-mounted'> {
  const query = new URLSearchParams({ mount: digest, from: fromRepository });
  const response = await client.expect(
    'POST',
    `/v2/${repository}/blobs/uploads/?${query.toString()}`,
    { scopes: [push(repository), repositoryScope(fromRepository, 'pull')], ...(signal ? { signal } : {}) },
    [201, 202],
    `mount ${digest} from ${fromRepository} into ${repository}`,
  );
  await discard(response);
  if (response.status === 201) return 'mounted';
  const location = response.headers.get('location');
  if (location) await cancelUploadSession(client, repository, location);
  return 'not-mounted';
}

/** Opens an upload session; returns its URL (the Location to PATCH/PUT to). */
export async function startUploadSession(
  client: RegistryClient,
  repository: string,
  signal?: AbortSignal,
): Promise<string> {
  const response = await client.expect(
    'POST',
    `/v2/${repository}/blobs/uploads/`,
    { scopes: [push(repository)], ...(signal ? { signal } : {}) },
    [202],
    `start an upload to ${repository}`,
  );
  await discard(response);
  return uploadLocation(client, response.headers.get('location'));
}

/** Deletes an upload session so nothing half-written stays in the repository; a gone session is fine. */
export async function cancelUploadSession(client: RegistryClient, repository: string, location: string): Promise<void> {
  const response = await client.expect(
    'DELETE',
    location,
    { scopes: [push(repository)] },
    [200, 202, 204, 404],
    `delete an unfinished upload in ${repository}`,
  );
  await discard(response);
}

/** Puts a small blob (an image config) in one request; returns its digest. */
export async function pushSmallBlob(
  client: RegistryClient,
  repository: string,
  content: Buffer,
  signal?: AbortSignal,
): Promise<string> {
  const digest = `sha256:${createHash('sha256').update(content).digest('hex')}`;
  if (await blobExists(client, repository, digest, signal)) return digest;
  const location = await startUploadSession(client, repository, signal);
  const response = await client.expect(
    'PUT',
    withDigest(location, digest),
    {
      scopes: [push(repository)],
      headers: { 'content-type': 'application/octet-stream' },
      body: content,
      ...(signal ? { signal } : {}),
    },
    [201],
    `put blob ${digest} in ${repository}`,
  );
  await discard(response);
  return digest;
}

/** The whole blob, read into memory: for configs and manifests, never layers. */
export async function readSmallBlob(
  client: RegistryClient,
  repository: string,
  digest: string,
  signal?: AbortSignal,
): Promise<Buffer> {
  const response = await client.expect(
    'GET',
    `/v2/${repository}/blobs/${digest}`,
    { scopes: [repositoryScope(repository, 'pull')], ...(signal ? { signal } : {}) },
    [200],
    `read blob ${digest} of ${repository}`,
  );
  return Buffer.from(await response.arrayBuffer());
}

/** A blob as a stream of its bytes (for copying a layer between repositories). */
export async function openBlobStream(
  client: RegistryClient,
  repository: string,
  digest: string,
  signal?: AbortSignal,
): Promise<AsyncIterable<Buffer>> {
  const response = await client.expect(
    'GET',
    `/v2/${repository}/blobs/${digest}`,
    { scopes: [repositoryScope(repository, 'pull')], ...(signal ? { signal } : {}) },
    [200],
    `read blob ${digest} of ${repository}`,
  );
  const body = response.body;
  if (!body) throw new RegistryProtocolError(`${client.registry} sent blob ${digest} without a body`, client.registry);
  return (async function* () {
    for await (const piece of body) yield Buffer.from(piece);
  })();
}

export function uploadLocation(client: RegistryClient, location: string | null): string {
  if (!location) {
    throw new RegistryProtocolError(`${client.registry} opened an upload without a Location`, client.registry);
  }
  return client.resolve(location);
}

export function withDigest(location: string, digest: string): string {
  const url = new URL(location);
  url.searchParams.set('digest', digest);
  return url.toString();
}
