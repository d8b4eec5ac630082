import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UnsupportedCredentialsError } from './registryErrors.js';

/*
 * Registry credentials from a docker `config.json` (what `docker login` / `podman login
 * --authfile` write): `auths[<host>].auth` (base64 of user:password) or its `username`/`password`.
 * Credentials kept by a helper (`credsStore`, `credHelpers`) would need running that helper, which
 * the platform does not do: that is a clear error rather than an anonymous push that fails later.
 */

export interface RegistryCredentials {
  username: string;
  password: string;
}

interface DockerConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

/** `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function defaultDockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.DOCKER_CONFIG ?? path.join(os.homedir(), '.docker'), 'config.json');
}

/**
 * The credentials `configPath` holds for `registry` (host[:port]); undefined when it has none (an
 * anonymous registry). Throws when the file is unreadable or keeps them in a helper.
 */
export async function loadDockerConfigCredentials(
  configPath: string,
  registry: string,
): Promise<RegistryCredentials | undefined> {
  let text: string;
  try {
    text = await readFile(configPath, 'utf8');
  } catch (error) {
    throw new UnsupportedCredentialsError(
      `cannot read the registry credentials file ${configPath}: ${(error as Error).message}`,
    );
  }
  let config: DockerConfigFile;
  try {
    config = JSON.parse(text) as DockerConfigFile;
  } catch (error) {
    throw new UnsupportedCredentialsError(`${configPath} is not valid JSON: ${(error as Error).message}`);
  }
  return credentialsFromDockerConfig(config, registry, configPath);
}

export function credentialsFromDockerConfig(
  config: DockerConfigFile,
  registry: string,
  configPath = 'config.json',
): RegistryCredentials | undefined {
  const wanted = normalizeRegistryKey(registry);
  const entry = Object.entries(config.auths ?? {}).find(([key]) => normalizeRegistryKey(key) === wanted)?.[1];
  if (entry?.username && entry.password !== undefined) return { username: entry.username, password: entry.password };
  if (entry?.auth) return decodeAuthField(entry.auth, registry, configPath);
  if (entry?.identitytoken) {
    throw new UnsupportedCredentialsError(
      `${configPath} has an identity token for ${registry}, which the platform cannot use: log in with a user name and password instead`,
    );
  }
  const helper = Object.entries(config.credHelpers ?? {}).find(([key]) => normalizeRegistryKey(key) === wanted)?.[1];
  if (helper ?? config.credsStore) {
    throw new UnsupportedCredentialsError(
      `${configPath} keeps the credentials for ${registry} in the credential helper "docker-credential-${helper ?? config.credsStore}", which the platform does not run: put them in "auths" (e.g. docker login with no credsStore, or podman login --authfile ${configPath})`,
    );
  }
  return undefined;
}

function decodeAuthField(auth: string, registry: string, configPath: string): RegistryCredentials {
  const decoded = Buffer.from(auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) {
    throw new UnsupportedCredentialsError(
      `the "auth" of ${registry} in ${configPath} is not base64 of user:password: log in again`,
    );
  }
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** `https://host:5000/v1/`, `host:5000` → `host:5000`; Docker Hub's names → `docker.io`. */
function normalizeRegistryKey(key: string): string {
  const host = key
    .replace(/^[a-z]+:\/\//i, '')
    .split('/')[0]!
    .toLowerCase();
  return host === 'index.docker.io' || host === 'registry-1.docker.io' ? 'docker.io' : host;
}
