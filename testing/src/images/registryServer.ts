import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../processes.js';

/*
 * Debian's docker-registry (distribution 2.8, scripts/ensure-system-deps.sh) on a free loopback
 * port with its own temporary filesystem storage, deletes enabled (so a cancelled upload and a
 * deleted manifest can be checked), and optionally htpasswd basic auth (bcrypt from apache2-utils'
 * `htpasswd -B`, the only hash the registry accepts) or token auth (tokenServer.ts).
 */

const REGISTRY = '/usr/bin/docker-registry';
const STARTUP_TIMEOUT_MS = 20_000;
const run = promisify(execFile);

export interface RegistryServerOptions {
  /** Turns on basic auth with these users (name → password). */
  users?: Record<string, string>;
  /** Turns on Docker token auth with this token service (tokenServer.ts). */
  tokenAuth?: { realm: string; service: string; issuer: string; rootCertBundle: string };
  /** Serves https with this certificate and key (PEM files). */
  tls?: { certificateFile: string; keyFile: string };
  /** Writes an access log line per request (`"POST /v2/… HTTP/1.1" 201 …`) to `output()`. */
  accessLog?: boolean;
}

export interface RegistryServer {
  /** `http://127.0.0.1:<port>` (https with `tls`) */
  url: string;
  /** `127.0.0.1:<port>`, the registry part of an image reference and the docker config.json key */
  host: string;
  port: number;
  /** The registry's storage root (docker/registry/v2/...) */
  storageDir: string;
  /** What the registry wrote to stdout/stderr so far (for a failing test's message). */
  output(): string;
  stop(): Promise<void>;
}

export async function startRegistry(options: RegistryServerOptions = {}): Promise<RegistryServer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-registry-'));
  const storageDir = path.join(dir, 'storage');
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  let auth = '';
  if (options.users) {
    const htpasswdFile = path.join(dir, 'htpasswd');
    await writeFile(htpasswdFile, await htpasswdLines(options.users));
    auth = `auth:\n  htpasswd:\n    realm: aiplat-test-registry\n    path: ${htpasswdFile}\n`;
  } else if (options.tokenAuth) {
    const { realm, service, issuer, rootCertBundle } = options.tokenAuth;
    auth = `auth:\n  token:\n    realm: ${realm}\n    service: ${service}\n    issuer: ${issuer}\n    rootcertbundle: ${rootCertBundle}\n`;
  }
  const configFile = path.join(dir, 'config.yml');
  await writeFile(
    configFile,
    `version: 0.1
log:
  level: warn
  accesslog:
    disabled: ${options.accessLog ? 'false' : 'true'}
storage:
  filesystem:
    rootdirectory: ${storageDir}
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: ${host}
  secret: aiplat-test-registry-secret
${options.tls ? `  tls:\n    certificate: ${options.tls.certificateFile}\n    key: ${options.tls.keyFile}\n` : ''}${auth}`,
  );
  const child = spawn(REGISTRY, ['serve', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const stop = async (): Promise<void> => {
    await stopChild(child);
    await rm(dir, { recursive: true, force: true });
  };
  const url = `${options.tls ? 'https' : 'http'}://${host}`;
  try {
    await waitUntilAnswering(`${url}/v2/`, child, () => out);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, host, port, storageDir, output: () => out, stop };
}

async function htpasswdLines(users: Record<string, string>): Promise<string> {
  const lines: string[] = [];
  for (const [user, password] of Object.entries(users)) {
    const { stdout } = await run('htpasswd', ['-nbB', user, password]);
    lines.push(stdout.trim());
  }
  return lines.join('\n') + '\n';
}

async function waitUntilAnswering(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}:\n${output()}`);
    // 200 anonymous, 401 with auth on: either way it serves the API.
    if (await answers(url)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`docker-registry did not answer ${url} within ${STARTUP_TIMEOUT_MS} ms:\n${output()}`);
}

/** Whether `url` gives any HTTP answer (a test certificate is not checked). */
function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = (url.startsWith('https:') ? https : http).get(url, { rejectUnauthorized: false }, (response) => {
      response.resume();
      resolve(true);
    });
    request.on('error', () => resolve(false));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
