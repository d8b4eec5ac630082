import type { IDisposable } from '@lumino/disposable';
import { Signal, type ISignal } from '@lumino/signaling';

/**
 * A DOM-free model with one `changed` signal: it fires only while the model lives, and disposing
 * the model disconnects everything connected to its signals. A subclass frees what it holds (requests
 * in flight...) in `onDispose`.
 */
export abstract class ChangingModel<T = void> implements IDisposable {
  private readonly _changed = new Signal<this, T>(this);
  private _disposed = false;

  get changed(): ISignal<this, T> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Fires `changed`, unless the model was disposed. */
  protected emit(args: T): void {
    if (!this._disposed) this._changed.emit(args);
  }

  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    this.onDispose();
    Signal.clearData(this);
  }

  /** Runs once when the model is disposed, before its signals are cleared. */
  protected onDispose(): void {}
}
