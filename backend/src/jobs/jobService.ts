import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import {
  ApiError,
  canTransition,
  isTerminalJobState,
  JOB_LIMITS,
  jobProgressIn,
  type CreateJobBody,
  type Instance,
  type Job,
  type JobInput,
  type JobDetail,
  type JobEnvResponse,
  type JobEventsResponse,
  type JobEventType,
  type JobListResponse,
  type JobLogsQuery,
  type JobLogsResponse,
  type JobMetricsResponse,
  type EngineKind,
  type JobSpec,
  type JobState,
} from '@aiplat/api';
import type { Logger } from 'pino';
import type { EventPublisher } from '../server/eventPublisher.js';
import type { JobFiles, JobLifecycle, StateChange, TrainingEngine } from './engine.js';
import { JobLogFollows, type LogFollowSend } from './jobLogFollows.js';
import { readJobLogs, type LogCursor, type LogSource } from './jobLogs.js';
import { JobProgressKeeper } from './jobProgressKeeper.js';
import type { InstanceRecord, JobPatch, JobRecord, JobStore } from './jobStore.js';
import { inJobYaml, jobSpecFromBody } from './jobSpecFromBody.js';
import { plannedInstances } from './plannedInstances.js';

export interface JobServiceDeps {
  store: JobStore;
  files: JobFiles;
  events: EventPublisher;
  log: Logger;
  /** The job's folders under /work (working directory, summaries), checked at submit (see `jobFoldersChecker`). */
  checkFolders: (user: string, spec: JobSpec) => Promise<void>;
  /**
   * Resolves `spec.datasets` and `spec.models` (`name` or `name@v2`) to the versions the job reads,
   * pinned; refuses unknown names and versions with a 4xx. Without it a job naming any is refused.
   */
  resolveInputs?: (user: string, refs: JobInputRefs) => Promise<JobInput[]>;
  /** The engine of a spec that names none; the first attached when unset. */
  defaultEngine?: EngineKind;
  now?: () => Date;
}

/** The dataset and model references of a job's spec. */
export interface JobInputRefs {
  datasets: readonly string[];
  models: readonly string[];
}

export function toApiJob(record: JobRecord): Job {
  const { attempt: _attempt, runtime: _runtime, progressFrom: _progressFrom, progress, ...job } = record;
  // A finished job keeps the progress it reached, without an ETA (the contract's rule).
  const shown = jobProgressIn(job.state, progress);
  return shown ? { ...job, progress: shown } : job;
}

export function toApiInstance(record: InstanceRecord): Instance {
  const { stateFile: _stateFile, env: _env, ...instance } = record;
  return instance;
}

function newJobId(): string {
  return `job-${randomBytes(5).toString('hex')}`;
}

function copyName(name: string): string {
  const suffix = '-copy';
  return name.slice(0, JOB_LIMITS.nameChars - suffix.length) + suffix;
}

function parseTagFilter(tag: string | undefined): { key: string; value?: string } | undefined {
  if (tag === undefined) return undefined;
  const eq = tag.indexOf('=');
  return eq === -1 ? { key: tag } : { key: tag.slice(0, eq), value: tag.slice(eq + 1) };
}

/**
 * The engine-neutral job model: creates jobs, keeps their state machine honest (every change
 * checked against the contract's transition table, stored, recorded as an event, published on the
 * WebSocket) and answers every job route. The engine does the running.
 */
export class JobService implements JobLifecycle {
  private readonly engines = new Map<EngineKind, TrainingEngine>();
  private readonly follows = new JobLogFollows();
  private readonly progress: JobProgressKeeper;
  /** Set by `close`: late callbacks (a progress flush, a follow finishing) find the store closed. */
  private closed = false;
  private readonly now: () => Date;

  constructor(private readonly deps: JobServiceDeps) {
    this.now = deps.now ?? (() => new Date());
    this.progress = new JobProgressKeeper({
      store: deps.store,
      logSources: (job) => this.logSources(job),
      onProgress: (id, progress) => this.update(id, { progress }),
      log: deps.log,
    });
  }

  /** Each engine is built with this service as its lifecycle, then attached. */
  attach(engine: TrainingEngine): void {
    this.engines.set(engine.kind, engine);
  }

  /** The engine a new job of `spec` runs on: the one it names, else the default. */
  private engineForSpec(spec: JobSpec): TrainingEngine {
    const kind = spec.engine ?? this.deps.defaultEngine ?? this.engines.keys().next().value;
    const engine = kind === undefined ? undefined : this.engines.get(kind);
    if (engine) return engine;
    if (kind === undefined || spec.engine === undefined) {
      throw new ApiError('unavailable', 'the training engine is not ready yet; try again shortly');
    }
    const served = [...this.engines.keys()];
    throw new ApiError(
      'validation_failed',
      `this backend does not run jobs on the ${kind} engine (it runs ${served.join(', ') || 'none yet'}); ` +
        `remove engine: ${kind}, or ask the operator to enable it (${kind === 'kubernetes' ? 'kubernetes.enabled: true' : 'engine: local'} in the backend config)`,
      { issues: [{ path: 'body.spec.engine', message: `must be one of ${served.join(', ')} here` }] },
    );
  }

  /** The engine that runs (or ran) `job`. */
  private engineOf(job: JobRecord): TrainingEngine {
    const engine = this.engines.get(job.engine);
    if (!engine) {
      throw new ApiError(
        'unavailable',
        `job ${job.id} ran on the ${job.engine} engine, which this backend no longer runs; enable it in the backend config`,
      );
    }
    return engine;
  }

  // ---- lifecycle (engines call these) ----------------------------------------------------------

  getJob(id: string): JobRecord | undefined {
    return this.deps.store.getJob(id);
  }

  listInstances(id: string): InstanceRecord[] {
    return this.deps.store.listInstances(id);
  }

  transition(id: string, to: JobState, change: StateChange): JobRecord | undefined {
    if (this.closed) return undefined;
    const current = this.deps.store.getJob(id);
    if (!current) return undefined;
    if (!canTransition(current.state, to)) {
      this.deps.log.warn({ job: id, from: current.state, to, event: change.type }, 'state change refused');
      return undefined;
    }
    // The progress read but not yet reported (throttled) lands before the job is seen finished.
    if (isTerminalJobState(to)) this.progress.flush(id);
    const time = this.now().toISOString();
    const patch: JobPatch = { ...change.patch, state: to };
    if (to === 'Failed') patch.reason = change.reason;
    if (isTerminalJobState(to)) {
      patch.finishedAt = time;
      patch.queuePosition = undefined;
      patch.waitReason = undefined;
    }
    if (to === 'Running' && !current.startedAt) patch.startedAt = time;
    if (to !== 'Queued') {
      patch.queuePosition = undefined;
      patch.waitReason = undefined;
    }
    const next = this.deps.store.updateJob(id, patch);
    this.recordEvent(id, {
      time,
      type: change.type,
      message: change.message,
      state: to,
      ...(change.instance !== undefined ? { instance: change.instance } : {}),
    });
    this.publishJob(next);
    if (to === 'Starting') this.progress.watch(next, 'from-now');
    if (isTerminalJobState(to)) {
      this.follows.finish(id);
      this.progress.finish(id);
    }
    return next;
  }

  /** After a backend restart: takes the engine through every unfinished job. */
  async recover(): Promise<void> {
    const active = this.deps.store.activeJobs();
    for (const job of active) {
      if (job.state === 'Starting' || job.state === 'Running' || job.state === 'Stopping') {
        this.progress.watch(job, 'recorded');
      }
    }
    for (const [kind, engine] of this.engines) await engine.recover(active.filter((job) => job.engine === kind));
    const orphaned = active.filter((job) => !this.engines.has(job.engine));
    for (const job of orphaned) {
      this.deps.log.warn({ job: job.id, engine: job.engine }, 'job of an engine this backend no longer runs');
    }
  }

  update(id: string, patch: JobPatch): JobRecord | undefined {
    if (this.closed || !this.deps.store.getJob(id)) return undefined;
    const next = this.deps.store.updateJob(id, patch);
    this.publishJob(next);
    return next;
  }

  event(id: string, type: JobEventType, message: string, instance?: number): void {
    this.recordEvent(id, {
      time: this.now().toISOString(),
      type,
      message,
      ...(instance !== undefined ? { instance } : {}),
    });
  }

  setInstances(id: string, instances: readonly InstanceRecord[]): void {
    this.deps.store.replaceInstances(id, instances);
  }

  updateInstance(id: string, index: number, patch: Partial<Omit<InstanceRecord, 'jobId' | 'index'>>): void {
    this.deps.store.updateInstance(id, index, patch);
  }

  private recordEvent(id: string, event: Parameters<JobStore['appendEvent']>[1]): void {
    this.deps.store.appendEvent(id, event);
    this.deps.events.publish(`job-events/${id}`, 'job-events', event);
  }

  private publishJob(record: JobRecord): void {
    const job = toApiJob(record);
    this.deps.events.publish('jobs', 'jobs', { change: 'updated', job });
    this.deps.events.publish(`jobs/${record.id}`, 'jobs', { change: 'updated', job });
  }

  // ---- the routes ------------------------------------------------------------------------------

  async create(user: string, body: CreateJobBody): Promise<JobDetail> {
    const spec = jobSpecFromBody(body);
    try {
      return await this.submit(user, spec);
    } catch (error) {
      throw inJobYaml(error, body);
    }
  }

  async submit(user: string, spec: JobSpec): Promise<JobDetail> {
    const engine = this.engineForSpec(spec);
    engine.validate(spec);
    await this.deps.checkFolders(user, spec);
    const inputs = await this.inputsOf(user, { datasets: spec.datasets ?? [], models: spec.models ?? [] });
    const id = newJobId();
    const record: JobRecord = {
      id,
      user,
      spec,
      state: 'Submitting',
      engine: engine.kind,
      createdAt: this.now().toISOString(),
      restarts: 0,
      attempt: 0,
      ...(inputs ? { inputs } : {}),
    };
    this.deps.store.insertJob(record);
    this.deps.store.replaceInstances(id, this.pendingInstances(id, spec));
    this.event(id, 'submitted', `submitted by ${user}`);
    this.publishJob(record);
    engine.submit(record);
    return this.detail(id);
  }

  private pendingInstances(jobId: string, spec: JobSpec): InstanceRecord[] {
    return plannedInstances(spec).map((p) => ({ jobId, ...p, state: 'Pending' as const }));
  }

  list(
    user: string,
    query: { state?: JobState[]; tag?: string; mine: boolean; cursor?: string; limit: number },
  ): JobListResponse {
    let page: { jobs: JobRecord[]; nextCursor?: string };
    try {
      const tag = parseTagFilter(query.tag);
      page = this.deps.store.listJobs({
        ...(query.state ? { states: query.state } : {}),
        ...(tag ? { tag } : {}),
        ...(query.mine ? { user } : {}),
        ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
        limit: query.limit,
      });
    } catch (error) {
      if (error instanceof RangeError) {
        throw new ApiError('validation_failed', `${error.message}; list again without it`, {
          issues: [{ path: 'query.cursor', message: error.message }],
        });
      }
      throw error;
    }
    return { jobs: page.jobs.map(toApiJob), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  }

  private require(id: string): JobRecord {
    const job = this.deps.store.getJob(id);
    if (!job) throw new ApiError('not_found', `no job ${id}; list jobs with GET /api/jobs`);
    return job;
  }

  private requireOwner(id: string, user: string, action: string): JobRecord {
    const job = this.require(id);
    if (job.user !== user)
      throw new ApiError('forbidden', `job ${id} belongs to ${job.user}; only they can ${action} it`);
    return job;
  }

  detail(id: string): JobDetail {
    const job = this.require(id);
    return { ...toApiJob(job), instances: this.deps.store.listInstances(id).map(toApiInstance) };
  }

  async stop(id: string, user: string, force: boolean): Promise<JobDetail> {
    const job = this.requireOwner(id, user, 'stop');
    if (isTerminalJobState(job.state)) {
      throw new ApiError('conflict', `job ${id} has already finished (${job.state}); nothing to stop`);
    }
    await this.engineOf(job).stop(job, { force });
    return this.detail(id);
  }

  async startAgain(id: string, user: string): Promise<JobDetail> {
    const job = this.requireOwner(id, user, 'start again');
    if (!isTerminalJobState(job.state)) {
      throw new ApiError(
        'conflict',
        `job ${id} is ${job.state}; stop it or wait for it to finish before starting it again`,
      );
    }
    const engine = this.engineOf(job);
    engine.validate(job.spec);
    await this.deps.checkFolders(job.user, job.spec);
    // The versions pinned at submit, found again: an accelerated copy made (or evicted) since counts.
    const inputs = await this.inputsOf(job.user, {
      datasets: (job.inputs ?? []).filter((i) => i.kind === 'dataset').map((i) => i.ref),
      models: (job.inputs ?? []).filter((i) => i.kind === 'model').map((i) => i.ref),
    });
    const next = this.transition(id, 'Submitting', {
      type: 'submitted',
      message: `started again by ${user}`,
      patch: {
        restarts: 0,
        reason: undefined,
        startedAt: undefined,
        finishedAt: undefined,
        progress: undefined,
        ...(inputs ? { inputs } : {}),
      },
    });
    if (!next) throw new ApiError('conflict', `job ${id} cannot be started again from ${job.state}`);
    this.deps.store.replaceInstances(id, this.pendingInstances(id, job.spec));
    engine.submit(next);
    return this.detail(id);
  }

  private async inputsOf(user: string, refs: JobInputRefs): Promise<JobInput[] | undefined> {
    if (refs.datasets.length === 0 && refs.models.length === 0) return undefined;
    if (!this.deps.resolveInputs) {
      throw new ApiError('validation_failed', 'this platform cannot resolve datasets or models: leave them out', {
        issues: [
          { path: `body.spec.${refs.datasets.length > 0 ? 'datasets' : 'models'}`, message: 'not available here' },
        ],
      });
    }
    return this.deps.resolveInputs(user, refs);
  }

  copy(id: string): { spec: JobSpec } {
    const job = this.require(id);
    return { spec: { ...job.spec, name: copyName(job.spec.name) } };
  }

  async delete(id: string, user: string): Promise<{ deleted: string }> {
    const job = this.requireOwner(id, user, 'delete');
    if (!isTerminalJobState(job.state)) {
      throw new ApiError('conflict', `job ${id} is ${job.state}; stop it first, only finished jobs can be deleted`);
    }
    this.follows.dispose(id);
    this.progress.forget(id);
    await this.engineOf(job).remove(job);
    this.deps.store.deleteJob(id);
    await rm(this.deps.files.jobDir(id), { recursive: true, force: true });
    this.deps.events.publish('jobs', 'jobs', { change: 'deleted', id });
    this.deps.events.publish(`jobs/${id}`, 'jobs', { change: 'deleted', id });
    return { deleted: id };
  }

  events(id: string, after: number, limit: number): JobEventsResponse {
    this.require(id);
    return this.deps.store.listEvents(id, after, limit);
  }

  private logSources(job: JobRecord): LogSource[] {
    return plannedInstances(job.spec).map((p) => ({ index: p.index, file: this.deps.files.logFile(job.id, p.name) }));
  }

  logs(id: string, query: JobLogsQuery): Promise<JobLogsResponse> {
    return readJobLogs(this.logSources(this.require(id)), query);
  }

  metrics(id: string, query: { instance?: number; since?: string; maxPoints: number }): JobMetricsResponse {
    const job = this.require(id);
    return this.engineOf(job).metrics(job, query);
  }

  env(id: string): JobEnvResponse {
    this.require(id);
    return {
      instances: this.deps.store.listInstances(id).map((i) => ({ index: i.index, name: i.name, env: i.env ?? {} })),
    };
  }

  /**
   * Follows a job's logs from `cursor` (WebSocket `job-logs/<id>`): batches as lines are written,
   * then, once the job has finished and every line was sent, a batch with `end: true`.
   */
  followLogs(id: string, cursor: string | undefined, send: LogFollowSend): () => void {
    const job = this.require(id);
    // Each batch carries the progress its lines reached: a view's header and log pane agree.
    const withProgress = { ...send, progressAt: (at: LogCursor) => this.progress.progressAt(id, at) };
    return this.follows.follow(id, this.logSources(job), cursor, withProgress, isTerminalJobState(job.state));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.follows.close();
    this.progress.close();
    for (const engine of this.engines.values()) await engine.close();
  }
}
