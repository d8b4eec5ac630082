/** A `vscode.Event`-compatible emitter for the host-agnostic models (which never import `vscode`). */
export type Listener<T> = (value: T) => void;

export interface Subscription {
  dispose(): void;
}

export type ModelEvent<T> = (listener: Listener<T>) => Subscription;

export class Emitter<T> {
  private readonly listeners = new Set<Listener<T>>();

  readonly event: ModelEvent<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(value: T): void {
    for (const listener of [...this.listeners]) listener(value);
  }

  dispose(): void {
    this.listeners.clear();
  }
}
