import {
  appendMetricPoints,
  isTerminalJobState,
  jobProgressIn,
  type EventMessage,
  type EventSocket,
  type Job,
  type JobDetail,
  type JobEvent,
  type JobMetricsResponse,
  type JobProgress,
  type JobSpec,
} from '@aiplat/api';
import type { IDisposable } from '@lumino/disposable';
import { Signal, type ISignal } from '@lumino/signaling';
import type { IConnectionModel } from '../../tokens.js';
import { DEFAULT_LOG_CAP_LINES, LogBuffer } from './logBuffer.js';

export interface JobViewModelOptions {
  /** Lines kept; the oldest go past it. */
  logCapLines?: number;
  /** Lines read over HTTP before following the stream. */
  logPageLines?: number;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function eventKey(e: JobEvent): string {
  return `${e.time}|${e.type}|${e.instance ?? ''}|${e.message}`;
}

/**
 * One job, live: its detail (from `jobs/<id>`), its events (`job-events/<id>`) and its logs (a
 * page over HTTP, then `job-logs/<id>` from that page's cursor, so nothing is missed or repeated),
 * its metrics on request, and the actions on it. Follows the connection: after a reconnect it
 * resubscribes, the logs from the last cursor.
 */
export class JobViewModel implements IDisposable {
  readonly jobId: string;
  readonly logs: LogBuffer;
  private readonly _connection: IConnectionModel;
  private readonly _logPageLines: number;
  private readonly _jobChanged = new Signal<this, JobDetail | undefined>(this);
  private readonly _logsChanged = new Signal<this, number>(this);
  private readonly _eventsChanged = new Signal<this, readonly JobEvent[]>(this);
  private readonly _metricsChanged = new Signal<this, JobMetricsResponse | undefined>(this);
  private readonly _progressChanged = new Signal<this, JobProgress | undefined>(this);
  /** The progress the last log batch reached (the backend's reading as of its cursor). */
  private _logProgress: JobProgress | undefined;
  private _job: JobDetail | undefined;
  private _events: JobEvent[] = [];
  private _metrics: JobMetricsResponse | undefined;
  private _error: string | undefined;
  private _deleted = false;
  private _logCursor: string | undefined;
  private _logsEnded = false;
  private _subscriptions: (() => void)[] = [];
  private _metricsFollowers = 0;
  private _unsubscribeLogs: (() => void) | undefined;
  private _socket: EventSocket | undefined;
  private _started = false;
  private _disposed = false;

  constructor(connection: IConnectionModel, jobId: string, options: JobViewModelOptions = {}) {
    this._connection = connection;
    this.jobId = jobId;
    this.logs = new LogBuffer(options.logCapLines ?? DEFAULT_LOG_CAP_LINES);
    this._logPageLines = options.logPageLines ?? 1000;
    connection.stateChanged.connect(this._onConnection, this);
  }

  get jobChanged(): ISignal<this, JobDetail | undefined> {
    return this._jobChanged;
  }
  /** Emits the number of lines added. */
  get logsChanged(): ISignal<this, number> {
    return this._logsChanged;
  }
  get eventsChanged(): ISignal<this, readonly JobEvent[]> {
    return this._eventsChanged;
  }
  get metricsChanged(): ISignal<this, JobMetricsResponse | undefined> {
    return this._metricsChanged;
  }
  /** Emits `progress` when it may have changed: with each log batch and each change of the job. */
  get progressChanged(): ISignal<this, JobProgress | undefined> {
    return this._progressChanged;
  }

  /**
   * The progress to show, one source with the log pane: while the logs stream, what the last batch
   * reached (the job record's reading only until a batch brings one); once the job has finished or its
   * logs ended, the job's final progress, without an ETA.
   */
  get progress(): JobProgress | undefined {
    const job = this._job;
    if (!job) return this._logProgress;
    if (isTerminalJobState(job.state) || this._logsEnded) return jobProgressIn(job.state, job.progress);
    return this._logProgress ?? job.progress;
  }

  get job(): JobDetail | undefined {
    return this._job;
  }
  get events(): readonly JobEvent[] {
    return this._events;
  }
  get metrics(): JobMetricsResponse | undefined {
    return this._metrics;
  }
  /** The last failure (loading or an action), for people. */
  get error(): string | undefined {
    return this._error;
  }
  /** The job was deleted (here or elsewhere). */
  get deleted(): boolean {
    return this._deleted;
  }
  /** Every line of the finished job has arrived. */
  get logsEnded(): boolean {
    return this._logsEnded;
  }

  /** Loads the job, its events and logs, and follows them. */
  async start(): Promise<void> {
    this._started = true;
    await this._attach();
  }

  private async _attach(): Promise<void> {
    const client = this._connection.client;
    const socket = this._connection.events;
    if (!client || this._disposed || this._deleted) return;
    this._detach();
    this._socket = socket;
    if (socket) {
      this._subscriptions.push(
        socket.subscribe(`jobs/${this.jobId}`, (e) => this._onJobEvent(e)),
        socket.subscribe(`job-events/${this.jobId}`, (e) => this._onEvent(e)),
      );
      if (this._metricsFollowers > 0) this._subscriptions.push(this._subscribeMetrics(socket));
    }
    await Promise.all([this.refreshJob(), this._loadEvents(), this._loadLogs()]);
  }

  private _detach(): void {
    for (const unsubscribe of this._subscriptions) unsubscribe();
    this._subscriptions = [];
    this._unsubscribeLogs?.();
    this._unsubscribeLogs = undefined;
    this._socket = undefined;
  }

  /** Reads the job with its instances again. */
  async refreshJob(): Promise<void> {
    const client = this._connection.client;
    if (!client) return;
    try {
      const job = await client.getJob({ params: { id: this.jobId } });
      if (this._disposed) return;
      this._setJob(job);
    } catch (e) {
      this._fail(e);
    }
  }

  private _setJob(job: JobDetail): void {
    const wasTerminal = this._job ? isTerminalJobState(this._job.state) : undefined;
    // Started again, or restarted automatically: the last run's progress is over.
    const restarted = this._job !== undefined && this._job.restarts !== job.restarts;
    if ((wasTerminal && !isTerminalJobState(job.state)) || restarted) this._logProgress = undefined;
    this._job = job;
    this._jobChanged.emit(job);
    this._progressChanged.emit(this.progress);
    // Started again: the log stream had ended; follow it again from where it stopped.
    if (wasTerminal && !isTerminalJobState(job.state) && this._logsEnded) {
      this._logsEnded = false;
      this._followLogs();
    }
  }

  private _onJobEvent(event: EventMessage): void {
    if (event.kind !== 'jobs' || this._disposed) return;
    const change = event.data;
    if (change.change === 'deleted') {
      this._markDeleted();
      return;
    }
    const before = this._job;
    const job: Job = change.job;
    this._setJob({ ...job, instances: before?.instances ?? [] });
    // Instances change with the state and with restarts: read them again then.
    if (!before || before.state !== job.state || before.restarts !== job.restarts) void this.refreshJob();
  }

  private _onEvent(event: EventMessage): void {
    if (event.kind !== 'job-events' || this._disposed) return;
    const keys = new Set(this._events.map(eventKey));
    if (keys.has(eventKey(event.data))) return;
    this._events = [...this._events, event.data];
    this._eventsChanged.emit(this._events);
    if (event.data.type === 'instance-started' || event.data.type === 'instance-exited') void this.refreshJob();
  }

  private async _loadEvents(): Promise<void> {
    const client = this._connection.client;
    if (!client) return;
    try {
      const page = await client.jobEvents({ params: { id: this.jobId }, query: { after: 0, limit: 5000 } });
      if (this._disposed) return;
      // Live events that came in while the page loaded stay, once each.
      const keys = new Set(page.events.map(eventKey));
      this._events = [...page.events, ...this._events.filter((e) => !keys.has(eventKey(e)))];
      this._eventsChanged.emit(this._events);
    } catch (e) {
      this._fail(e);
    }
  }

  private async _loadLogs(): Promise<void> {
    const client = this._connection.client;
    if (!client) return;
    if (this._logCursor === undefined) {
      try {
        const page = await client.jobLogs({ params: { id: this.jobId }, query: { limit: this._logPageLines } });
        if (this._disposed) return;
        this._addLines(page.lines);
        this._logCursor = page.nextCursor;
      } catch (e) {
        this._fail(e);
        return;
      }
    }
    if (!this._logsEnded) this._followLogs();
  }

  private _followLogs(): void {
    this._unsubscribeLogs?.();
    this._unsubscribeLogs = undefined;
    const socket = this._socket;
    if (!socket || this._disposed) return;
    const topic = `job-logs/${this.jobId}`;
    this._unsubscribeLogs = socket.subscribe(
      topic,
      (event) => {
        if (event.kind !== 'job-logs' || this._disposed) return;
        this._logCursor = event.data.cursor;
        // The progress first, so that whoever redraws on the new lines finds the progress they reached.
        if (event.data.progress) this._logProgress = event.data.progress;
        this._addLines(event.data.lines);
        if (event.data.end) {
          this._logsEnded = true;
          this._unsubscribeLogs?.();
          this._unsubscribeLogs = undefined;
          this._logsChanged.emit(0);
        }
        if (event.data.progress || event.data.end) this._progressChanged.emit(this.progress);
      },
      this._logCursor === undefined ? undefined : { cursor: this._logCursor },
    );
  }

  private _addLines(lines: Parameters<LogBuffer['append']>[0]): void {
    const added = this.logs.append(lines);
    if (added > 0) this._logsChanged.emit(added);
  }

  /**
   * Follows the job's metrics as the server samples them (the `job-metrics/<id>` topic) after one
   * read of their history; returns the disposer.
   */
  followMetrics(): () => void {
    void this.refreshMetrics();
    this._metricsFollowers++;
    const socket = this._socket;
    const unsubscribe = socket ? this._subscribeMetrics(socket) : undefined;
    if (unsubscribe) this._subscriptions.push(unsubscribe);
    return () => {
      this._metricsFollowers--;
      unsubscribe?.();
      this._subscriptions = this._subscriptions.filter((u) => u !== unsubscribe);
    };
  }

  private _subscribeMetrics(socket: EventSocket): () => void {
    return socket.subscribe(`job-metrics/${this.jobId}`, (event) => {
      if (event.kind !== 'job-metrics' || this._disposed) return;
      const { metrics, overflow } = appendMetricPoints(this._metrics, event.data);
      if (overflow) {
        void this.refreshMetrics();
        return;
      }
      this._metrics = metrics;
      this._metricsChanged.emit(metrics);
    });
  }

  async refreshMetrics(options: { maxPoints?: number } = {}): Promise<void> {
    const client = this._connection.client;
    if (!client) return;
    try {
      const metrics = await client.jobMetrics({
        params: { id: this.jobId },
        query: { maxPoints: options.maxPoints ?? 600 },
      });
      if (this._disposed) return;
      this._metrics = metrics;
      this._metricsChanged.emit(metrics);
    } catch (e) {
      this._fail(e);
    }
  }

  /** Stops the job; `force` skips the grace period. */
  stop(force = false): Promise<boolean> {
    return this._act((client) => client.stopJob({ params: { id: this.jobId }, body: { force } }));
  }

  /** Runs a finished job again under the same id. */
  startAgain(): Promise<boolean> {
    return this._act((client) => client.startJobAgain({ params: { id: this.jobId }, body: {} }));
  }

  /** The job's spec for a new job (its name with a `-copy` suffix), or undefined on failure. */
  async copySpec(): Promise<JobSpec | undefined> {
    const client = this._connection.client;
    if (!client) return undefined;
    try {
      return (await client.copyJob({ params: { id: this.jobId } })).spec;
    } catch (e) {
      this._fail(e);
      return undefined;
    }
  }

  /** Deletes the finished job with its logs. */
  async remove(): Promise<boolean> {
    const client = this._connection.client;
    if (!client) return false;
    try {
      await client.deleteJob({ params: { id: this.jobId } });
      this._markDeleted();
      return true;
    } catch (e) {
      this._fail(e);
      return false;
    }
  }

  private async _act(action: (client: NonNullable<IConnectionModel['client']>) => Promise<JobDetail>) {
    const client = this._connection.client;
    if (!client) return false;
    try {
      const job = await action(client);
      this._error = undefined;
      if (!this._disposed) this._setJob(job);
      return true;
    } catch (e) {
      this._fail(e);
      return false;
    }
  }

  private _markDeleted(): void {
    if (this._deleted) return;
    this._deleted = true;
    this._detach();
    this._jobChanged.emit(this._job);
  }

  private _fail(e: unknown): void {
    if (this._disposed) return;
    this._error = errorMessage(e);
    this._jobChanged.emit(this._job);
  }

  private _onConnection(): void {
    if (!this._started) return;
    if (this._connection.state.status === 'connected') void this._attach();
    else this._detach();
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    this._detach();
    Signal.clearData(this);
  }
}
