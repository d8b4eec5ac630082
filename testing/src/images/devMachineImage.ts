import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rmdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BUILD = path.join(ROOT, 'images/devmachine-local/build.sh');

/** What the build copies into the image: any change to these makes a new image. */
const INPUTS = [
  'images/devmachine-local/build.sh',
  'images/devmachine-local/code-server-deps.mjs',
  'images/devmachine/entrypoint.sh',
  'images/entry/entry.sh',
  'backend/dist/snapshot-agent.cjs',
  'jupyterlab-host/serve.py',
  'jupyterlab-host/templates',
  'jupyterlab-host/build',
  'jupyterlab-ext/dist',
  'vscode-ext/dist',
  'vscode-ext/package.json',
  'node_modules/code-server/package.json',
];

/** Files by path, size and modification time (contents for small ones): cheap, and changes when a build does. */
function inputsKey(): string {
  const hash = createHash('sha256');
  const visit = (relative: string) => {
    const absolute = path.join(ROOT, relative);
    if (!existsSync(absolute)) return hash.update(`${relative}: none\n`);
    const stat = statSync(absolute);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(absolute).sort()) visit(path.join(relative, entry));
      return;
    }
    hash.update(`${relative} ${stat.size} ${stat.mtimeMs}\n`);
    if (stat.size < 1 << 20) hash.update(readFileSync(absolute));
  };
  INPUTS.forEach(visit);
  return hash.digest('hex').slice(0, 16);
}

/** One build at a time on this machine (test files of several projects run at once). */
async function locked<T>(name: string, work: () => Promise<T>): Promise<T> {
  const lock = path.join(os.tmpdir(), `${name}.lock`);
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock older than a build ever takes was left by a killed run.
      if (Date.now() - statSync(lock).mtimeMs > 15 * 60_000) await rmdir(lock).catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`waited 15 minutes for ${lock}`);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
  try {
    return await work();
  } finally {
    await rmdir(lock).catch(() => undefined);
  }
}

function failure(what: string, error: unknown): Error {
  const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
  return new Error(`${what} failed: ${`${stdout}\n${stderr}`.trim().split('\n').slice(-15).join('\n')}`);
}

/**
 * The local engine's dev machine image, built with the repo's script (mmdebstrap from Debian's
 * mirror; the agent, JupyterLab and code-server from this repo's build) once per build of its
 * inputs on this machine and kept in Podman, then tagged `ref` and pushed to the test registry.
 * The first build takes a minute or two; later test files only push.
 */
export async function buildDevMachineImage(ref: string): Promise<void> {
  const built = `localhost/aiplat-test-devmachine:${inputsKey()}`;
  await locked('aiplat-test-devmachine-image', async () => {
    const exists = await run('podman', ['image', 'exists', built]).then(
      () => true,
      () => false,
    );
    if (exists) return;
    await run('bash', [BUILD, `--tag=${built}`], { maxBuffer: 64 << 20 }).catch((error: unknown) => {
      throw failure(`building ${built}`, error);
    });
  });
  try {
    await run('podman', ['tag', built, ref]);
    await run('podman', ['push', '--tls-verify=false', ref], { maxBuffer: 64 << 20 });
  } catch (error) {
    throw failure(`pushing ${ref}`, error);
  }
}
