import { filesTopic, type EventSocket, type FileChanges } from '@aiplat/api';
import type { WorkspaceSource } from './workspaceSource.js';

export type FolderChangeHandler = (path: string, changes: FileChanges['changes']) => void;

/**
 * The folders a view has open, each followed on the server's `files/<path>` topic. Follows the
 * connection's current event socket: after a reconnect with a new socket, `sync()` subscribes
 * every folder again. `''` (the list of roots) is never watched.
 */
export class FolderSubscriptions {
  private readonly _folders = new Map<string, () => void>();
  private _socket: EventSocket | undefined;

  constructor(
    private readonly _source: WorkspaceSource,
    private readonly _onChange: FolderChangeHandler,
  ) {}

  get watched(): string[] {
    return [...this._folders.keys()];
  }

  watch(path: string): void {
    if (!path) return;
    this.sync();
    if (this._folders.has(path)) return;
    this._folders.set(path, this.subscribe(path));
  }

  unwatch(path: string): void {
    this._folders.get(path)?.();
    this._folders.delete(path);
  }

  /** Subscribes again on a socket the connection replaced since. */
  sync(): void {
    const socket = this._source.events;
    if (socket === this._socket) return;
    this._socket = socket;
    for (const path of this._folders.keys()) this._folders.set(path, this.subscribe(path));
  }

  dispose(): void {
    for (const unsubscribe of this._folders.values()) unsubscribe();
    this._folders.clear();
  }

  private subscribe(path: string): () => void {
    const socket = this._socket;
    if (!socket) return () => undefined;
    return socket.subscribe(filesTopic(path), (event) => {
      if (event.kind === 'files') this._onChange(path, event.data.changes);
    });
  }
}
