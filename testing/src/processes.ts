/**
 * Process plumbing of both end-to-end harnesses (JupyterLab and code-server in Chromium): free ports,
 * processes in their own process groups with their output captured, killing the groups, a detached
 * watchdog that cleans up when the test process dies without teardown, the built backend, and
 * Chromium's path and flags. Node only (no DOM, no playwright): the harnesses launch the browser.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BACKEND_MAIN = fileURLToPath(new URL('../../backend/dist/main.js', import.meta.url));

/** Debian's chromium (scripts/ensure-system-deps.sh). */
export const CHROMIUM = '/usr/bin/chromium';
/** The recipe's flags: without the networking ones Chromium floods the closed network. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Started {
  child: ChildProcess;
  output: () => string;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Starts a process in its own process group, so that teardown also reaches its children (kernels, extension hosts). */
export function startProcess(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Started {
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  child.on('error', (error) => (out += `\n${command}: ${error.message}\n`));
  return { child, output: () => out };
}

/**
 * A detached watchdog: when the test process is gone without teardown (a worker killed on a
 * timeout, Ctrl-C), it kills the process groups listed in `<temp>/pgids` and removes `temp`.
 * (Kernels and extension hosts otherwise wait hours for a client.)
 */
const REAPER = `
const fs = require('node:fs');
const [parent, temp, keep] = process.argv.slice(1);
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
setInterval(() => {
  if (!fs.existsSync(temp)) process.exit(0);
  if (alive(Number(parent))) return;
  let pgids = [];
  try { pgids = fs.readFileSync(temp + '/pgids', 'utf8').split('\\n').filter(Boolean).map(Number); } catch {}
  for (const pgid of pgids) { try { process.kill(-pgid, 'SIGKILL'); } catch {} }
  if (keep !== '1') fs.rmSync(temp, { recursive: true, force: true });
  process.exit(0);
}, 1000);
`;

function startReaper(temp: string): ChildProcess {
  const reaper = spawn(
    process.execPath,
    ['-e', REAPER, String(process.pid), temp, process.env.AIPLAT_E2E_KEEP ? '1' : '0'],
    { detached: true, stdio: 'ignore' },
  );
  reaper.unref();
  return reaper;
}

/** SIGTERM to the group of `child` (SIGKILL after 3 s), then SIGKILL to whatever of the group outlived its leader. */
export async function killGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined) return;
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // already gone
    }
  };
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    signal('SIGTERM');
    const timer = setTimeout(() => signal('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
  signal('SIGKILL'); // whatever of the group outlived its leader (kernels, extension hosts, job processes)
}

/** Polls `probe` every 100 ms until it gives a value; fails with the output of `started` once that exited. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, started: Started): Promise<T> {
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (started.child.exitCode !== null || started.child.signalCode !== null)
      throw new Error(`${what} exited (${started.child.exitCode ?? started.child.signalCode}):\n${started.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The processes of one harness session under the temporary folder `temp`, watched by the reaper. */
export interface ProcessGroups {
  readonly processes: readonly Started[];
  /** Records a started process (and its group for the watchdog); returns it. */
  track(started: Started): Started;
  /** Kills every tracked group and stops the watchdog. */
  killAll(): Promise<void>;
  /** `--- process <i> (<label>)` and its output, for each process. */
  logs(label: (child: ChildProcess) => string): string[];
}

export function processGroups(temp: string): ProcessGroups {
  const processes: Started[] = [];
  const reaper = startReaper(temp);
  return {
    processes,
    track(started) {
      processes.push(started);
      if (started.child.pid !== undefined) appendFileSync(path.join(temp, 'pgids'), `${started.child.pid}\n`);
      return started;
    },
    async killAll() {
      await Promise.all(processes.map((p) => killGroup(p.child)));
      reaper.kill();
    },
    logs: (label) => processes.map((p, i) => `--- process ${i} (${label(p.child)})\n${p.output()}`),
  };
}

export interface StartBackendOptions {
  /** The backend's WORK_ROOT. */
  root: string;
  /** The backend's DATA_DIR (created); its parent is the backend's cwd and holds the config file. */
  dataDir: string;
  /** ALLOWED_ORIGINS: the page's origin. */
  origin: string;
  /** AIPLAT_USER. */
  user: string;
  /** YAML for AIPLAT_CONFIG; default: the backend's defaults. */
  backendConfig?: string;
  /** Extra environment. */
  env?: Record<string, string>;
  track: (started: Started) => Started;
}

/** Starts the built backend (`backend/dist/main.js`) on a free port with a fresh token; resolves once it listens. */
export async function startBackend(
  options: StartBackendOptions,
): Promise<{ started: Started; url: string; token: string }> {
  if (!existsSync(BACKEND_MAIN)) throw new Error(`build first (npm run build): no ${BACKEND_MAIN}`);
  const token = `e2e-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? os.homedir(),
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    AUTH_TOKEN: token,
    AIPLAT_USER: options.user,
    WORK_ROOT: options.root,
    DATA_DIR: options.dataDir,
    ALLOWED_ORIGINS: options.origin,
    ...options.env,
  };
  await mkdir(options.dataDir, { recursive: true });
  if (options.backendConfig !== undefined) {
    env.AIPLAT_CONFIG = path.join(options.dataDir, '..', 'backend-config.yaml');
    await writeFile(env.AIPLAT_CONFIG, options.backendConfig);
  }
  const started = options.track(startProcess(process.execPath, [BACKEND_MAIN], path.dirname(options.dataDir), env));
  const url = await waitFor(
    'the backend',
    async () => {
      const out = started.output();
      return out.includes('token:') ? /listening on (http:\/\/\S+)/.exec(out)?.[1] : undefined;
    },
    started,
  );
  return { started, url, token };
}

/** Creates `files` (by path relative to `root`, with their folders) under `root`. */
export async function writeFiles(root: string, files: Record<string, string> = {}): Promise<void> {
  for (const [relative, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, relative)), { recursive: true });
    await writeFile(path.join(root, relative), content);
  }
}
