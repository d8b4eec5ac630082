import { constants } from 'node:fs';
import { existsSync } from 'node:fs';
import { access, mkdir, readdir, rm } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import type { Logger } from 'pino';
import { shellQuote } from '../../../shell/shellQuote.js';
import type {
  TensorBoardEndpoint,
  TensorBoardEngine,
  TensorBoardLaunch,
  TensorBoardObservation,
} from '../../../tensorboard/engine.js';
import { createPortAllocator, instancePaths, type InstanceHandle, type Supervisor } from '../supervisor/index.js';
import { logTail } from '../supervisor/logTail.js';

export interface LocalTensorBoardEngineDeps {
  supervisor: Supervisor;
  /** Each TensorBoard's log under `<dataDir>/tensorboard/<id>/`. */
  dataDir: string;
  /** `tensorboard` (looked up on PATH) or a path. */
  command: string;
  /** PATH, HOME, LANG... */
  baseEnv: Readonly<Record<string, string>>;
  readyTimeoutMs: number;
  stopGraceMs: number;
  log: Logger;
}

interface Running {
  handle: InstanceHandle;
  port: number;
  prefix: string;
  ready: boolean;
  stopping: boolean;
}

const HOST = '127.0.0.1';
const POLL_MS = 250;

/**
 * TensorBoard as a supervised process of this machine, on a loopback port (TensorBoard cannot
 * listen on a Unix socket), under the path prefix the platform's proxy serves it at.
 */
export class LocalTensorBoardEngine implements TensorBoardEngine {
  private readonly running = new Map<string, Running>();
  private readonly ports = createPortAllocator();

  constructor(private readonly deps: LocalTensorBoardEngineDeps) {}

  async unavailable(): Promise<string | undefined> {
    if (await this.executable()) return undefined;
    return (
      `TensorBoard is not installed on the platform's server (no ${this.deps.command} on its PATH): ` +
      'install it with `pip install tensorboard` in the Python the server runs with, or set tensorboard.command ' +
      "to its path. The platform's own scalar charts work without it."
    );
  }

  async start(launch: TensorBoardLaunch, observe: (observation: TensorBoardObservation) => void): Promise<void> {
    const command = await this.executable();
    if (!command) throw new Error((await this.unavailable()) ?? 'TensorBoard is not installed');
    const [port] = await this.ports.allocate(1);
    const prefix = launch.prefix.replace(/\/$/, '');
    const logDir = path.join(this.deps.dataDir, 'tensorboard', launch.id);
    await mkdir(logDir, { recursive: true });
    const args = ['--logdir', launch.hostPath, '--path_prefix', prefix, '--host', HOST, '--port', String(port)];
    const handle = await this.deps.supervisor.launchInstance({
      jobId: launch.id,
      instance: 'tensorboard',
      command: `exec ${[command, ...args].map(shellQuote).join(' ')}`,
      // Its own folder: the log directory may not exist yet (a queued job's), which TensorBoard waits for.
      cwd: logDir,
      env: { ...this.deps.baseEnv },
      logDir,
    });
    const run: Running = { handle, port: port!, prefix, ready: false, stopping: false };
    this.running.set(launch.id, run);
    handle.onExit((exit) => {
      this.running.delete(launch.id);
      if (run.stopping) return;
      void logTail(handle.logFile).then((tail) => {
        const status = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
        observe({ state: 'Failed', reason: `TensorBoard ${status}${tail ? `: ${tail}` : ''}` });
      });
    });
    void this.waitUntilReady(launch.id, run, observe);
  }

  async stop(id: string): Promise<void> {
    const run = this.running.get(id);
    if (!run) return;
    run.stopping = true;
    await run.handle.stop(this.deps.stopGraceMs);
    run.handle.dispose();
    this.running.delete(id);
  }

  endpoint(id: string): TensorBoardEndpoint | undefined {
    const run = this.running.get(id);
    if (!run?.ready) return undefined;
    return { target: { host: HOST, port: run.port }, prefix: `${run.prefix}/`, keepsPrefix: true, headers: {} };
  }

  async close(): Promise<void> {
    await Promise.all([...this.running.keys()].map((id) => this.stop(id)));
  }

  /**
   * Ends the TensorBoards a previous backend left running (TensorBoards live as long as the backend
   * that started them; a crash would otherwise leave them behind) and removes their folders.
   */
  async releaseLeftovers(): Promise<void> {
    const root = path.join(this.deps.dataDir, 'tensorboard');
    const ids = await readdir(root).catch(() => [] as string[]);
    for (const id of ids) {
      if (this.running.has(id)) continue;
      const { stateFile } = instancePaths(path.join(root, id), 'tensorboard');
      if (existsSync(stateFile)) {
        const adopted = await this.deps.supervisor.adoptInstance(stateFile);
        if (adopted.kind === 'running') {
          await adopted.handle.stop(0);
          adopted.handle.dispose();
          this.deps.log.info({ id }, 'stopped a TensorBoard the previous backend left running');
        }
      }
      await rm(path.join(root, id), { recursive: true, force: true });
    }
  }

  private async waitUntilReady(
    id: string,
    run: Running,
    observe: (observation: TensorBoardObservation) => void,
  ): Promise<void> {
    const deadline = Date.now() + this.deps.readyTimeoutMs;
    while (this.running.get(id) === run && !run.stopping) {
      if (await answers(run.port, `${run.prefix}/`)) {
        run.ready = true;
        observe({ state: 'Running' });
        return;
      }
      if (Date.now() > deadline) {
        const tail = await logTail(run.handle.logFile);
        await this.stop(id);
        observe({
          state: 'Failed',
          reason: `TensorBoard did not answer within ${Math.round(this.deps.readyTimeoutMs / 1000)} s${tail ? `: ${tail}` : ''}`,
        });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** The command to run: a path as given, a name found on the base PATH; undefined when there is none. */
  private async executable(): Promise<string | undefined> {
    const { command } = this.deps;
    const candidates = command.includes('/')
      ? [command]
      : (this.deps.baseEnv.PATH ?? '')
          .split(':')
          .filter(Boolean)
          .map((dir) => path.join(dir, command));
    for (const candidate of candidates) {
      try {
        await access(candidate, constants.X_OK);
        return candidate;
      } catch {
        // next
      }
    }
    return undefined;
  }
}

/** Whether TensorBoard answers its page with 200. */
function answers(port: number, pagePath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get({ host: HOST, port, path: pagePath, timeout: 2_000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}
