import {
  isApiError,
  type EventMessage,
  type EventSocket,
  type LogLine,
  type Service,
  type ServiceEvent,
  type ServiceMetricPoint,
} from '@aiplat/api';
import { ChangingModel } from '../../model/changingModel.js';
import type { IConnectionModel } from '../../tokens.js';
import { LogBuffer } from '../../training/model/logBuffer.js';
import { mergePoints } from './serviceCharts.js';
import { errorMessage } from '../../model/liveListModel.js';

/** The detail's tabs. */
export type ServiceTab = 'overview' | 'events' | 'logs' | 'metrics' | 'keys' | 'calls' | 'update';

/** What changed, so that each part of the view redraws only for its own news. */
export type ServiceDetailChange = 'service' | 'events' | 'logs' | 'metrics';

export interface ServiceDetailOptions {
  /** Log lines read at first (then followed). */
  logPageLines?: number;
  /** Metric bucket width, seconds. */
  metricStepSeconds?: number;
}

/** Which replicas' logs a service shows: its serving version's (empty while the service is not known). */
export function logSourceKey(service: Service | undefined): string {
  if (!service) return '';
  const indexes = service.replicas.filter((r) => r.version === service.version).map((r) => r.index);
  return `${service.version}:${indexes.sort((a, b) => a - b).join(',')}`;
}

/**
 * One service, live: the service with its versions and replicas (`getService`, then the
 * `services/<name>` topic), its events (read again as its state or replicas change), its replicas'
 * logs (a page, then `service-logs/<name>` from that page's cursor: nothing missed or repeated; read
 * again when another version serves or its replicas change) and its traffic (`serviceMetrics`, then
 * each closed bucket from `service-metrics/<name>`).
 */
export class ServiceDetailModel extends ChangingModel<ServiceDetailChange> {
  readonly logs = new LogBuffer();
  private _service: Service | undefined;
  private _events: ServiceEvent[] = [];
  private _points: ServiceMetricPoint[] = [];
  private _error: string | undefined;
  private _deleted = false;
  private _tab: ServiceTab = 'overview';
  private _subscriptions: (() => void)[] = [];
  private _logCursor: string | undefined;
  /** `logSourceKey` of the replicas whose lines the buffer holds; undefined until the first read. */
  private _logSource: string | undefined;
  /** Bumped by each read of the logs: a page or a batch of an earlier read is dropped. */
  private _logReads = 0;
  private readonly _logPageLines: number;
  readonly metricStepSeconds: number;

  constructor(
    private readonly _connection: IConnectionModel,
    readonly name: string,
    options: ServiceDetailOptions = {},
  ) {
    super();
    this._logPageLines = options.logPageLines ?? 1000;
    this.metricStepSeconds = options.metricStepSeconds ?? 10;
    _connection.stateChanged.connect(this._onConnection, this);
  }

  get service(): Service | undefined {
    return this._service;
  }

  get events(): readonly ServiceEvent[] {
    return this._events;
  }

  get points(): readonly ServiceMetricPoint[] {
    return this._points;
  }

  get error(): string | undefined {
    return this._error;
  }

  /**
   * The service was deleted while shown (the `services/<name>` topic said so, or the server no longer
   * knows the service it showed): what it was stays shown, nothing can be done to it any more.
   */
  get deleted(): boolean {
    return this._deleted;
  }

  /** The tab shown (a command may ask for one, e.g. Update). */
  get tab(): ServiceTab {
    return this._tab;
  }

  showTab(tab: ServiceTab): void {
    if (tab === this._tab) return;
    this._tab = tab;
    this.emit('service');
  }

  get connection(): IConnectionModel {
    return this._connection;
  }

  /** The service's full URL through the gateway (ends with `/`). */
  get gatewayUrl(): string {
    return new URL(
      this._service?.url ?? `/services/${this.name}/`,
      `${this._connection.serverUrl.replace(/\/+$/, '')}/`,
    ).toString();
  }

  /** Loads everything and follows it. */
  async start(): Promise<void> {
    const client = this._connection.client;
    const socket = this._connection.events;
    if (!client || this.isDisposed) return;
    this._detach();
    if (socket) {
      this._subscriptions.push(
        socket.subscribe(`services/${this.name}`, (e) => this._onService(e)),
        socket.subscribe(`service-metrics/${this.name}`, (e) => this._onMetrics(e)),
      );
    }
    await Promise.all([this.refresh(), this._loadMetrics()]);
    await this._loadLogs(socket);
  }

  /** Reads the service and its events again. */
  async refresh(): Promise<void> {
    const client = this._connection.client;
    if (!client) return;
    try {
      const [service, { events }] = await Promise.all([
        client.getService({ params: { name: this.name } }),
        client.serviceEvents({ params: { name: this.name } }),
      ]);
      if (this.isDisposed) return;
      this._setService(service);
      this._events = events;
      this._error = undefined;
      this.emit('events');
    } catch (e) {
      this._failOrGone(e);
    }
  }

  /** Start, stop, restart: the service as the server answered. */
  async act(action: 'start' | 'stop' | 'restart'): Promise<void> {
    const client = this._connection.client;
    if (!client) return;
    const params = { params: { name: this.name } };
    try {
      const service =
        action === 'start'
          ? await client.startService(params)
          : action === 'stop'
            ? await client.stopService({ ...params, body: {} })
            : await client.restartService(params);
      this._setService(service);
    } catch (e) {
      this._failOrGone(e);
    }
  }

  private _setService(service: Service): void {
    this._service = service;
    this._error = undefined;
    this.emit('service');
    if (this._logSource !== undefined && this._logSource !== logSourceKey(service)) this._readLogsAfresh();
  }

  /**
   * Another version serves, or its replicas changed: the lines held are another set of replicas'
   * and the server follows only the replicas it knew when subscribed. Read and follow them again,
   * as opening the page does; the old subscription ends first, so its last lines (an old version
   * stopping) cannot land in the new buffer.
   */
  private _readLogsAfresh(): void {
    this._unfollowLogs?.();
    this._unfollowLogs = undefined;
    this.logs.clear();
    this._logCursor = undefined;
    this.emit('logs');
    void this._loadLogs(this._connection.events);
  }

  private _onService(event: EventMessage): void {
    if (event.kind !== 'services' || this.isDisposed) return;
    if (event.data.change === 'deleted') return this._markDeleted();
    const before = this._service;
    const service = event.data.service;
    this._setService(service);
    // Events come with state and replica changes: read them again then.
    if (
      !before ||
      before.state !== service.state ||
      JSON.stringify(before.replicas) !== JSON.stringify(service.replicas)
    ) {
      void this._loadEvents();
    }
  }

  private async _loadEvents(): Promise<void> {
    const client = this._connection.client;
    if (!client) return;
    try {
      const { events } = await client.serviceEvents({ params: { name: this.name } });
      if (this.isDisposed) return;
      this._events = events;
      this.emit('events');
    } catch {
      // the next change reads them again
    }
  }

  private async _loadMetrics(): Promise<void> {
    const client = this._connection.client;
    if (!client) return;
    try {
      const { points } = await client.serviceMetrics({
        params: { name: this.name },
        query: { step: this.metricStepSeconds },
      });
      if (this.isDisposed) return;
      this._points = mergePoints(points, this._points);
      this.emit('metrics');
    } catch (e) {
      this._fail(e);
    }
  }

  /** Reads the metrics again (after a gap). */
  refreshMetrics(): Promise<void> {
    return this._loadMetrics();
  }

  private _onMetrics(event: EventMessage): void {
    if (event.kind !== 'service-metrics' || this.isDisposed) return;
    // The topic's buckets are the gateway's 10-second ones; a wider step reads them with the page.
    if (this.metricStepSeconds !== 10) return;
    this._points = mergePoints(this._points, [event.data.point]);
    this.emit('metrics');
  }

  private async _loadLogs(socket: EventSocket | undefined): Promise<void> {
    const client = this._connection.client;
    if (!client || this.isDisposed) return;
    const read = ++this._logReads;
    if (this._logCursor === undefined) {
      this._logSource = logSourceKey(this._service);
      try {
        const page = await client.serviceLogs({ params: { name: this.name }, query: { limit: this._logPageLines } });
        if (this.isDisposed || read !== this._logReads) return;
        this._addLines(page.lines);
        this._logCursor = page.nextCursor;
      } catch (e) {
        if (read === this._logReads) this._fail(e);
        return;
      }
    }
    this._followLogs(socket, read);
  }

  private _unfollowLogs: (() => void) | undefined;

  private _followLogs(socket: EventSocket | undefined, read: number): void {
    this._unfollowLogs?.();
    this._unfollowLogs = undefined;
    if (!socket || this.isDisposed) return;
    this._unfollowLogs = socket.subscribe(
      `service-logs/${this.name}`,
      (event) => {
        if (event.kind !== 'service-logs' || this.isDisposed || read !== this._logReads) return;
        this._logCursor = event.data.cursor;
        this._addLines(event.data.lines);
      },
      this._logCursor === undefined ? undefined : { cursor: this._logCursor },
    );
  }

  private _addLines(lines: readonly LogLine[]): void {
    if (this.logs.append(lines) > 0) this.emit('logs');
  }

  private _markDeleted(): void {
    if (this._deleted) return;
    this._deleted = true;
    this._error = undefined;
    this.emit('service');
  }

  /**
   * A 404 for a service the page showed: it was deleted while the page did not hear of it (the
   * socket was down, or the page came back after a reload). A name never seen keeps the error.
   */
  private _failOrGone(e: unknown): void {
    if (this._service && isApiError(e) && e.code === 'not_found') this._markDeleted();
    else this._fail(e);
  }

  private _fail(e: unknown): void {
    if (this.isDisposed) return;
    this._error = errorMessage(e);
    this.emit('service');
  }

  private _detach(): void {
    for (const unsubscribe of this._subscriptions) unsubscribe();
    this._subscriptions = [];
    this._unfollowLogs?.();
    this._unfollowLogs = undefined;
  }

  private _onConnection(): void {
    this._detach();
    if (this._connection.state.status === 'connected') void this.start();
  }

  protected override onDispose(): void {
    this._detach();
    this._connection.stateChanged.disconnect(this._onConnection, this);
  }
}
