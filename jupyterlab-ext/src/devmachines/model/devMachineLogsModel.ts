import type { EventSocket, LogLine } from '@aiplat/api';
import { ChangingModel } from '../../model/changingModel.js';
import { errorMessage } from '../../model/liveListModel.js';
import type { IConnectionModel } from '../../tokens.js';
import { LogBuffer } from '../../training/model/logBuffer.js';

/**
 * A dev machine's lifecycle log (its scripts' output, as job logs): a page read over HTTP, then
 * `devmachine-logs/<id>` followed from that page's cursor, so nothing is missed or repeated.
 * Reads again when the connection comes back.
 */
export class DevMachineLogsModel extends ChangingModel {
  readonly logs = new LogBuffer();
  private _cursor: string | undefined;
  private _error: string | undefined;
  private _unfollow: (() => void) | undefined;

  constructor(
    private readonly _connection: IConnectionModel,
    readonly id: string,
    private readonly _pageLines = 1000,
  ) {
    super();
    _connection.stateChanged.connect(this._onConnection, this);
    if (_connection.state.status === 'connected') void this.start();
  }

  get error(): string | undefined {
    return this._error;
  }

  async start(): Promise<void> {
    const client = this._connection.client;
    if (!client || this.isDisposed) return;
    if (this._cursor === undefined) {
      try {
        const page = await client.devMachineLogs({ params: { id: this.id }, query: { limit: this._pageLines } });
        if (this.isDisposed) return;
        this._error = undefined;
        this._add(page.lines);
        this._cursor = page.nextCursor;
      } catch (e) {
        if (this.isDisposed) return;
        this._error = errorMessage(e);
        this.emit();
        return;
      }
    }
    this._follow(this._connection.events);
  }

  private _follow(socket: EventSocket | undefined): void {
    this._unfollow?.();
    this._unfollow = undefined;
    if (!socket || this.isDisposed) return;
    this._unfollow = socket.subscribe(
      `devmachine-logs/${this.id}`,
      (event) => {
        if (event.kind !== 'devmachine-logs' || this.isDisposed) return;
        this._cursor = event.data.cursor;
        this._add(event.data.lines);
      },
      this._cursor === undefined ? undefined : { cursor: this._cursor },
    );
  }

  private _add(lines: readonly LogLine[]): void {
    if (this.logs.append(lines) > 0) this.emit();
  }

  private _onConnection(): void {
    this._unfollow?.();
    this._unfollow = undefined;
    if (this._connection.state.status === 'connected') void this.start();
  }

  protected override onDispose(): void {
    this._unfollow?.();
    this._connection.stateChanged.disconnect(this._onConnection, this);
  }
}
