import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import type { SharedGatewayState } from '../gateway/sharedState.js';
import { ControlClient, type DataPlaneState, type PulledTraffic } from './controlClient.js';
import { nginxConfig } from './nginxConfig.js';

export interface DataPlaneDeps {
  /** The nginx to run (Debian's, with libnginx-mod-http-lua and lua-cjson). */
  nginx: string;
  /** What it may serve now (built from the store and the engines' ready replicas). */
  state: () => DataPlaneState;
  /** What it counted, every `syncIntervalMs`. */
  absorb: (traffic: PulledTraffic) => void;
  syncIntervalMs?: number;
  /** How long calls in flight get when it stops (nginx's worker_shutdown_timeout). */
  shutdownGraceMs?: number;
  log: Logger;
}

const READY_TIMEOUT_MS = 10_000;
const RESTART_DELAY_MS = 1_000;

/**
 * The services gateway's data plane: nginx in front of the backend on the platform's port, serving
 * the calls of services it was told about (serviceGateway.lua) and handing everything else to the
 * backend's socket. The backend pushes what it may serve when that changes, pulls what it counted
 * every second, and shares its replay cache and admissions (SharedGatewayState). Restarted when
 * it dies (the platform's port is down until then).
 */
export class DataPlane implements SharedGatewayState {
  private folder: string | undefined;
  private controlClient: ControlClient | undefined;
  private child: ChildProcess | undefined;
  private listen: { host: string; port: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private pushed = '';
  private pushedRevision = -1;
  private served = new Set<string>();
  private syncing: Promise<void> | undefined;
  private pushSoon = false;
  private closed = false;

  constructor(private readonly deps: DataPlaneDeps) {}

  /** Where the backend listens for what the data plane hands over (in a folder only this user reaches). */
  get backendSocket(): string {
    return path.join(this.dir, 'backend.sock');
  }

  /** Whether it runs (started, not closed): the gateway shares its replay cache and admissions only then. */
  get started(): boolean {
    return this.listen !== undefined && !this.closed;
  }

  /** Starts nginx on host:port; resolves once it serves, with the state pushed. */
  async start(host: string, port: number): Promise<void> {
    this.listen = { host, port };
    try {
      await this.spawn();
    } catch (error) {
      this.listen = undefined;
      throw error;
    }
    this.timer = setInterval(() => void this.sync(), this.deps.syncIntervalMs ?? 1_000);
    this.timer.unref();
  }

  /** Something it serves may have changed: pushed at once (not waiting for the next second). */
  changed(): void {
    if (!this.child || this.pushSoon) return;
    this.pushSoon = true;
    setImmediate(() => {
      this.pushSoon = false;
      void this.push();
    });
  }

  firstUse(appKey: string, signedAtMs: number): Promise<boolean> {
    return this.control.firstUse(appKey, signedAtMs);
  }

  async admit(service: string): Promise<number | undefined | 'local'> {
    if (!this.served.has(service)) return 'local';
    const answer = await this.control.admit(service);
    if (!answer.served) return 'local';
    return answer.wait;
  }

  done(service: string): void {
    if (this.closed) return;
    this.control.done(service).catch((error: unknown) => {
      if (!this.closed) this.deps.log.warn({ err: error }, 'data plane: done');
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    await this.syncing;
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      // SIGQUIT: nginx stops listening at once and lets the calls in flight finish (within the grace).
      await new Promise<void>((resolve) => {
        const kill = setTimeout(() => killGroup(child), this.graceMs + 2_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGQUIT');
      });
    }
    await this.controlClient?.close();
    if (this.folder) rmSync(this.folder, { recursive: true, force: true });
  }

  /** nginx's files and the sockets; short, as a Unix socket's path has at most 107 bytes. */
  private get dir(): string {
    this.folder ??= mkdtempSync(path.join(os.tmpdir(), 'aiplat-dp-'));
    return this.folder;
  }

  private get graceMs(): number {
    return this.deps.shutdownGraceMs ?? 10_000;
  }

  private get controlSocket(): string {
    return path.join(this.dir, 'control.sock');
  }

  private get control(): ControlClient {
    this.controlClient ??= new ControlClient(this.controlSocket);
    return this.controlClient;
  }

  private async spawn(): Promise<void> {
    const { host, port } = this.listen!;
    const file = path.join(this.dir, 'nginx.conf');
    writeFileSync(
      file,
      nginxConfig({
        host,
        port,
        backendSocket: this.backendSocket,
        controlSocket: this.controlSocket,
        dir: this.dir,
        runAsRoot: process.getuid?.() === 0,
        shutdownGraceMs: this.graceMs,
        backendPid: process.pid,
      }),
    );
    rmSync(this.controlSocket, { force: true });
    // Its own process group: its worker goes with it (a master killed outright leaves its worker on the port).
    // -e: not the compiled-in /var/log/nginx/error.log, which a user other than root cannot open
    const child = spawn(this.deps.nginx, ['-c', file, '-p', this.dir, '-e', path.join(this.dir, 'error.log')], {
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4096)));
    const exited = new Promise<Error>((resolve) => {
      child.once('error', (error) => resolve(error));
      child.once('exit', (code, signal) => {
        const message = this.errors(stderr);
        const error: NodeJS.ErrnoException = new Error(`nginx exited (${signal ?? code}): ${message}`);
        if (message.includes('Address already in use')) error.code = 'EADDRINUSE';
        else if (message.includes('Cannot assign requested address')) error.code = 'EADDRNOTAVAIL';
        resolve(error);
      });
    });
    this.child = child;
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let up = false;
    while (!up && Date.now() < deadline) {
      const outcome = await Promise.race([
        this.control.revision().then(
          () => true,
          () => false,
        ),
        exited,
      ]);
      if (outcome instanceof Error) throw outcome;
      if (!outcome) await new Promise((resolve) => setTimeout(resolve, 50));
      up = outcome === true;
    }
    if (!up) {
      killGroup(child);
      throw new Error(`nginx did not start in ${READY_TIMEOUT_MS / 1000} s: ${this.errors(stderr)}`);
    }
    this.pushedRevision = -1;
    await this.push();
    void exited.then((error) => this.died(child, error));
  }

  private died(child: ChildProcess, error: Error): void {
    if (this.closed || this.child !== child) return;
    this.child = undefined;
    this.served = new Set();
    killGroup(child);
    this.deps.log.error({ err: error }, 'the services data plane (nginx) stopped; starting it again');
    this.restart();
  }

  /** In a second, and again after each start that failed (its port may stay taken for a while). */
  private restart(): void {
    setTimeout(() => {
      if (this.closed) return;
      this.spawn().catch((failure: unknown) => {
        if (this.child) killGroup(this.child);
        this.child = undefined;
        this.deps.log.error({ err: failure }, 'the services data plane (nginx) did not start; trying again');
        this.restart();
      });
    }, RESTART_DELAY_MS).unref();
  }

  /** Pulls the counts, and pushes the state when it changed or nginx restarted (it does every second). */
  sync(): Promise<void> {
    return this.serially(true);
  }

  private push(): Promise<void> {
    return this.serially(false);
  }

  private serially(pull: boolean): Promise<void> {
    const previous = this.syncing ?? Promise.resolve();
    const next = previous.then(() => this.syncOnce(pull));
    this.syncing = next.catch(() => undefined);
    return next.catch((error: unknown) => {
      if (this.child) this.deps.log.warn({ err: error }, 'data plane: sync failed');
    });
  }

  private async syncOnce(pull: boolean): Promise<void> {
    if (!this.child || this.closed) return;
    let revision = this.pushedRevision;
    if (pull) {
      const traffic = await this.control.takeTraffic();
      revision = traffic.revision;
      try {
        this.deps.absorb(traffic);
      } catch (error) {
        // what was counted is lost, but the state is still pushed
        this.deps.log.error({ err: error }, 'data plane: its counts could not be taken in');
      }
    }
    const state = this.deps.state();
    const text = JSON.stringify(state);
    if (text === this.pushed && revision === this.pushedRevision) return;
    this.pushedRevision = await this.control.putState(state);
    this.pushed = text;
    this.served = new Set(Object.keys(state.services));
  }

  private errors(stderr: string): string {
    let log = '';
    try {
      log = readFileSync(path.join(this.dir, 'error.log'), 'utf8').slice(-2048);
    } catch {
      // not written yet
    }
    return (stderr + log).trim() || 'no message';
  }
}

/** nginx's master and its worker: spawned as a process group, killed as one. */
function killGroup(child: ChildProcess): void {
  try {
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // none of the group is left
  }
}
