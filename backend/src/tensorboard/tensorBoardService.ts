import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import type { Logger } from 'pino';
import {
  ApiError,
  jobSummaryDir,
  type EngineKind,
  type StartTensorBoardBody,
  type TensorBoard,
  type TensorBoardState,
} from '@aiplat/api';
import type { EventPublisher } from '../server/eventPublisher.js';
import type { PathResolver } from '../workspace/pathResolver.js';
import type { TensorBoardEndpoint, TensorBoardEngine, TensorBoardObservation } from './engine.js';

/** What the service needs to know of a job: whose it is, where it writes summaries, which engine runs it. */
export interface JobLookup {
  (id: string): { id: string; user: string; engine: EngineKind; spec: { summaryDir?: string | undefined } } | undefined;
}

export interface TensorBoardServiceDeps {
  resolver: PathResolver;
  events: EventPublisher;
  job: JobLookup;
  /** The engine of a folder's TensorBoard; a job's runs on its job's engine when that one has TensorBoards. */
  defaultEngine: EngineKind;
  /** Stopped after this long without a request through the proxy. */
  idleMs: number;
  log: Logger;
  now?: () => number;
}

interface Entry {
  board: TensorBoard;
  absPath: string;
  lastActivity: number;
}

const ACTIVE: readonly TensorBoardState[] = ['Starting', 'Running'];

/**
 * The TensorBoards users start for a job or a folder: one per user and folder while it runs, owned
 * by its starter, reached only through `/tensorboard/<id>/`, stopped after `idleMs` without a
 * request. Kept in memory: a backend restart ends them (the engines stop what they ran at close).
 */
export class TensorBoardService {
  private readonly engines = new Map<EngineKind, TensorBoardEngine>();
  private readonly entries = new Map<string, Entry>();
  private readonly idleTimer: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(private readonly deps: TensorBoardServiceDeps) {
    this.now = deps.now ?? Date.now;
    this.idleTimer = setInterval(() => this.stopIdle(), Math.max(1000, Math.min(60_000, deps.idleMs / 4)));
    this.idleTimer.unref();
  }

  useEngine(kind: EngineKind, engine: TensorBoardEngine): void {
    this.engines.set(kind, engine);
  }

  async list(user: string): Promise<{ items: TensorBoard[]; unavailable?: string }> {
    const items = [...this.entries.values()]
      .filter((entry) => entry.board.user === user)
      .map((entry) => entry.board)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    const unavailable = await this.unavailable(this.deps.defaultEngine);
    return unavailable ? { items, unavailable } : { items };
  }

  async start(user: string, body: StartTensorBoardBody): Promise<TensorBoard> {
    let path: string;
    let kind = this.deps.defaultEngine;
    let jobId: string | undefined;
    if ('jobId' in body) {
      const job = this.deps.job(body.jobId);
      // A job's summaries are in its owner's home, which is private.
      if (!job || job.user !== user) throw new ApiError('not_found', `you have no job ${body.jobId}`);
      path = jobSummaryDir(job);
      jobId = job.id;
      if (this.engines.has(job.engine)) kind = job.engine;
    } else path = body.path;
    // A job's folder may not be there yet (the job is queued), or only on the cluster's claim.
    const resolved = await this.deps.resolver.resolve(user, path, { access: 'read', mustExist: jobId === undefined });
    if (resolved.exists && !(await stat(resolved.absPath)).isDirectory()) {
      throw new ApiError('bad_request', `${resolved.apiPath} is a file; give the folder that holds the event files`);
    }
    const running = [...this.entries.values()].find(
      (entry) => entry.board.user === user && entry.absPath === resolved.absPath && ACTIVE.includes(entry.board.state),
    );
    if (running) {
      running.lastActivity = this.now();
      return running.board;
    }
    const engine = this.engines.get(kind);
    const unavailable = await this.unavailable(kind);
    if (!engine || unavailable)
      throw new ApiError('unavailable', unavailable ?? `the ${kind} engine runs no TensorBoard`);

    const id = `tb-${randomBytes(5).toString('hex')}`;
    const at = new Date(this.now()).toISOString();
    const entry: Entry = {
      absPath: resolved.absPath,
      lastActivity: this.now(),
      board: {
        id,
        user,
        path: resolved.apiPath,
        ...(jobId ? { jobId } : {}),
        state: 'Starting',
        url: `/tensorboard/${id}/`,
        engine: kind,
        createdAt: at,
        lastActivityAt: at,
      },
    };
    this.entries.set(id, entry);
    this.publish(entry);
    const launch = { id, user, path: resolved.apiPath, hostPath: resolved.absPath, prefix: `/tensorboard/${id}/` };
    try {
      await engine.start(launch, (observation) => this.observed(id, observation));
    } catch (error) {
      this.observed(id, { state: 'Failed', reason: (error as Error).message });
    }
    return this.entries.get(id)!.board;
  }

  async stop(user: string, id: string): Promise<TensorBoard> {
    const entry = this.owned(user, id);
    if (ACTIVE.includes(entry.board.state)) await this.end(entry, undefined);
    return entry.board;
  }

  /** Owner of a TensorBoard, for the proxy's check; undefined when there is none. */
  owner(id: string): string | undefined {
    return this.entries.get(id)?.board.user;
  }

  get(user: string, id: string): TensorBoard {
    return this.owned(user, id).board;
  }

  /** Where the proxy forwards a request for a running TensorBoard; counts as activity. */
  endpoint(id: string): TensorBoardEndpoint | undefined {
    const entry = this.entries.get(id);
    if (!entry || entry.board.state !== 'Running') return undefined;
    entry.lastActivity = this.now();
    return this.engines.get(entry.board.engine as EngineKind)?.endpoint(id);
  }

  async close(): Promise<void> {
    clearInterval(this.idleTimer);
    await Promise.all([...this.engines.values()].map((engine) => engine.close().catch(() => undefined)));
  }

  private owned(user: string, id: string): Entry {
    const entry = this.entries.get(id);
    if (!entry || entry.board.user !== user) throw new ApiError('not_found', `you have no TensorBoard ${id}`);
    return entry;
  }

  private async unavailable(kind: EngineKind): Promise<string | undefined> {
    const engine = this.engines.get(kind);
    if (!engine) return `the ${kind} engine runs no TensorBoard`;
    return engine.unavailable();
  }

  private observed(id: string, observation: TensorBoardObservation): void {
    const entry = this.entries.get(id);
    if (!entry || !ACTIVE.includes(entry.board.state)) return;
    entry.board = { ...entry.board, state: observation.state };
    if (observation.reason) entry.board.reason = observation.reason;
    if (observation.state !== 'Running') this.deps.log.info({ id, ...observation }, 'TensorBoard ended');
    this.publish(entry);
  }

  private async end(entry: Entry, reason: string | undefined): Promise<void> {
    const engine = this.engines.get(entry.board.engine as EngineKind);
    entry.board = { ...entry.board, state: 'Stopped', ...(reason ? { reason } : {}) };
    this.publish(entry);
    await engine?.stop(entry.board.id).catch((error: unknown) => {
      this.deps.log.warn({ err: error, id: entry.board.id }, 'stopping a TensorBoard failed');
    });
  }

  private stopIdle(): void {
    const now = this.now();
    for (const entry of this.entries.values()) {
      if (entry.board.state === 'Running' && now - entry.lastActivity >= this.deps.idleMs) {
        const minutes = Math.round(this.deps.idleMs / 60_000);
        void this.end(entry, `stopped after ${minutes} minute(s) without use`);
      }
    }
  }

  private publish(entry: Entry): void {
    entry.board = { ...entry.board, lastActivityAt: new Date(entry.lastActivity).toISOString() };
    this.deps.events.publish('tensorboards', 'tensorboards', { tensorboard: entry.board }, { user: entry.board.user });
  }
}
