import {
  boardCharts,
  boardRuns,
  DEFAULT_BOARD_OPTIONS,
  ScalarBoard,
  type BoardOptions,
  type ConnectionState,
  type ScalarSource,
  type SourceState,
  type TagChart,
  type TensorBoard,
} from '@aiplat/api';
import { ChangingModel } from '../../model/changingModel.js';
import { loginUrl } from '../../model/loginLink.js';
import type { IConnectionModel } from '../../tokens.js';

/** Where "Open TensorBoard" stands: nothing asked yet, starting, opened, or why it cannot. */
export type TensorBoardAction =
  | { readonly status: 'idle' }
  | { readonly status: 'starting' }
  | { readonly status: 'opened'; readonly board: TensorBoard }
  | { readonly status: 'unavailable' | 'failed'; readonly message: string };

const START_TIMEOUT_MS = 180_000;

/**
 * A TensorBoard view's model: its sources (a job's summaries, folders, other jobs to compare)
 * followed live through a `ScalarBoard`, the chart options, and the real TensorBoard on demand.
 */
export class ScalarsViewModel extends ChangingModel {
  private readonly _board: ScalarBoard;
  private _options: BoardOptions = DEFAULT_BOARD_OPTIONS;
  private _tensorboard: TensorBoardAction = { status: 'idle' };

  constructor(
    private readonly _connection: IConnectionModel,
    sources: readonly ScalarSource[],
  ) {
    super();
    this._board = new ScalarBoard(_connection, () => this.emit());
    for (const source of sources) this._board.add(source);
    _connection.stateChanged.connect(this._onConnection, this);
  }

  get sources(): SourceState[] {
    return this._board.sources;
  }

  get options(): BoardOptions {
    return this._options;
  }

  get tensorboard(): TensorBoardAction {
    return this._tensorboard;
  }

  charts(): TagChart[] {
    return boardCharts(this._board.sources, this._options);
  }

  runs(): { key: string; label: string }[] {
    return boardRuns(this._board.sources);
  }

  setOptions(patch: Partial<BoardOptions>): void {
    this._options = { ...this._options, ...patch };
    this.emit();
  }

  toggleRun(key: string): void {
    const hidden = this._options.hidden.includes(key)
      ? this._options.hidden.filter((k) => k !== key)
      : [...this._options.hidden, key];
    this.setOptions({ hidden });
  }

  /** Adds a job's summaries or a folder to compare with. */
  add(source: ScalarSource): void {
    this._board.add(source);
  }

  remove(path: string): void {
    this._board.remove(path);
  }

  /**
   * Starts (or reuses) a TensorBoard for the first source and gives the URL that opens it signed in
   * (a one-time login link); undefined, with the reason in `tensorboard`, when it cannot.
   */
  async tensorBoardUrl(): Promise<string | undefined> {
    const client = this._connection.client;
    const first = this._board.sources[0]?.source;
    if (!client || !first) return undefined;
    this._setTensorBoard({ status: 'starting' });
    try {
      const { unavailable } = await client.listTensorBoards();
      if (unavailable) {
        this._setTensorBoard({ status: 'unavailable', message: unavailable });
        return undefined;
      }
      let board = await client.startTensorBoard({ body: first.jobId ? { jobId: first.jobId } : { path: first.path } });
      const deadline = Date.now() + START_TIMEOUT_MS;
      while (board.state === 'Starting' && Date.now() < deadline && !this.isDisposed) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        board = (await client.listTensorBoards()).items.find((b) => b.id === board.id) ?? board;
      }
      if (board.state !== 'Running') {
        this._setTensorBoard({ status: 'failed', message: board.reason ?? board.state });
        return undefined;
      }
      const url = await loginUrl(this._connection, board.url);
      this._setTensorBoard({ status: 'opened', board });
      return url;
    } catch (error) {
      this._setTensorBoard({ status: 'failed', message: (error as Error).message });
      return undefined;
    }
  }

  private _setTensorBoard(action: TensorBoardAction): void {
    this._tensorboard = action;
    this.emit();
  }

  private _onConnection(_: unknown, state: ConnectionState): void {
    if (state.status === 'connected') this._board.reload();
  }

  protected override onDispose(): void {
    this._connection.stateChanged.disconnect(this._onConnection, this);
    this._board.dispose();
  }
}
