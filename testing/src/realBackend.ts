import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient, type ApiClient } from '@aiplat/api';

/*
 * The real backend, built (`npm run build`), as a process over a temp work root: what both
 * extensions' models and commands are tested against. The extensions cannot import the backend's
 * sources.
 */

const BUILT_MAIN = fileURLToPath(new URL('../../backend/dist/main.js', import.meta.url));

export interface RealBackend {
  url: string;
  token: string;
  user: string;
  /** The folder the backend shows as /work. */
  workRoot: string;
  client(): ApiClient;
  /** Writes a file under /work (path relative to the work root, e.g. `home/alice/a.csv`). */
  writeFile(relative: string, content: string | Buffer): Promise<void>;
  close(): Promise<void>;
}

export async function startRealBackend(
  options: { user?: string; extraConfig?: string; defaultDevMachine?: boolean } = {},
): Promise<RealBackend> {
  if (!existsSync(BUILT_MAIN)) throw new Error(`build first (npm run build): no ${BUILT_MAIN}`);
  const user = options.user ?? 'alice';
  const token = `${user}-token-0123456789abcdef`;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-ext-backend-'));
  const workRoot = path.join(dir, 'work');
  await mkdir(path.join(workRoot, 'home', user), { recursive: true });
  const config = path.join(dir, 'config.yaml');
  await writeFile(
    config,
    `workRoot: ${JSON.stringify(workRoot)}\ndataDir: ${JSON.stringify(path.join(dir, 'data'))}\n` +
      `users: [{ name: ${user}, token: ${token} }]\nseedExamples: true\nallowedOrigins: ['*']\n` +
      (options.extraConfig ?? ''),
  );
  const child: ChildProcess = spawn(process.execPath, [BUILT_MAIN], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      PORT: '0',
      LOG_LEVEL: 'warn',
      AIPLAT_CONFIG: config,
      // The default dev machine (JupyterLab and code-server) only where a test asks for it.
      AIPLAT_DEV_MACHINE: options.defaultDevMachine ? 'on' : 'off',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  let url: string | undefined;
  for (let i = 0; i < 400 && !url; i++) {
    url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
    if (child.exitCode !== null) break;
    if (!url) await new Promise((r) => setTimeout(r, 50));
  }
  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      const signal = (name: NodeJS.Signals) => {
        try {
          process.kill(-child.pid!, name);
        } catch {
          // already gone
        }
      };
      const exited = new Promise((r) => child.once('exit', r));
      signal('SIGTERM');
      // A backend that cannot shut down within its grace periods is killed, and says so.
      const late = setTimeout(() => {
        process.stderr.write(`the backend did not stop within 30 s of SIGTERM; killed:\n${out.slice(-2000)}\n`);
        signal('SIGKILL');
      }, 30_000);
      await exited;
      clearTimeout(late);
    }
    // A job's log shim may still be writing its last lines into the folder (jobs outlive a backend by design).
    await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  };
  if (!url) {
    await stop();
    throw new Error(`the backend did not start:\n${out}`);
  }
  const baseUrl = url;
  return {
    url: baseUrl,
    token,
    user,
    workRoot,
    client: () => createClient({ baseUrl, token }),
    writeFile: async (relative, content) => {
      const file = path.join(workRoot, relative);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, content);
    },
    close: stop,
  };
}
