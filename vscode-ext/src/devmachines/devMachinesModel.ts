import type { ApiClient, DevMachine, DevMachineChange } from '@aiplat/api';
import type { EventSource } from '../connection/liveEvents.js';
import { Emitter, type Subscription } from '../model/emitter.js';

export interface DevMachinesModelOptions {
  /** The client of the current connection; undefined while disconnected. */
  client: () => ApiClient | undefined;
  events: EventSource;
}

/**
 * The user's dev machines, free of `vscode`: `GET /api/devmachines`, kept live by the `devmachines`
 * topic (`updated` upserts, `deleted` removes), newest first.
 */
export class DevMachinesModel {
  private _machines: DevMachine[] = [];
  private _loaded = false;
  private _error: unknown;
  private readonly changed = new Emitter<void>();
  private readonly subscription: Subscription;
  /** Only the newest read applies its answer. */
  private reads = 0;

  readonly onDidChange = this.changed.event;

  constructor(private readonly options: DevMachinesModelOptions) {
    this.subscription = options.events.subscribe(
      'devmachines',
      (event) => {
        if (event.kind === 'devmachines') this.apply(event.data);
      },
      // Every (re)subscription re-reads the list, so nothing changed in between is missed.
      { onSubscribed: () => void this.refresh() },
    );
  }

  get machines(): readonly DevMachine[] {
    return this._machines;
  }

  get loaded(): boolean {
    return this._loaded;
  }

  /** The last listing error, cleared by a successful refresh. */
  get error(): unknown {
    return this._error;
  }

  find(id: string): DevMachine | undefined {
    return this._machines.find((machine) => machine.id === id);
  }

  async refresh(): Promise<void> {
    const client = this.options.client();
    if (!client) return;
    const read = ++this.reads;
    try {
      const { devMachines } = await client.listDevMachines();
      if (read !== this.reads) return;
      this._machines = newestFirst(devMachines);
      this._error = undefined;
    } catch (error) {
      if (read !== this.reads) return;
      this._error = error;
    }
    this._loaded = true;
    this.changed.fire();
  }

  /** Forgets everything (the connection was lost or changed). */
  clear(): void {
    this._machines = [];
    this._loaded = false;
    this._error = undefined;
    this.changed.fire();
  }

  /** Applies a change from the topic, or the answer of an action the user just took. */
  apply(change: DevMachineChange): void {
    if (change.change === 'deleted') {
      const before = this._machines.length;
      this._machines = this._machines.filter((machine) => machine.id !== change.id);
      if (this._machines.length !== before) this.changed.fire();
      return;
    }
    const others = this._machines.filter((machine) => machine.id !== change.devMachine.id);
    this._machines = newestFirst([...others, change.devMachine]);
    this.changed.fire();
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

function newestFirst(machines: DevMachine[]): DevMachine[] {
  return [...machines].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id));
}
