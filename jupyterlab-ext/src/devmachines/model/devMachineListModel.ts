import { loginUrl } from '../../model/loginLink.js';
import {
  isApiError,
  type DevMachine,
  type DevMachineEvent,
  type DevMachineIde,
  type DevMachineSpec,
} from '@aiplat/api';
import { ChangingModel } from '../../model/changingModel.js';
import type { IConnectionModel } from '../../tokens.js';

function newestFirst(a: DevMachine, b: DevMachine): number {
  return b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id);
}

function message(e: unknown): string {
  return isApiError(e) || e instanceof Error ? e.message : String(e);
}

/**
 * The user's dev machines: `listDevMachines`, then kept live from the `devmachines` topic (no
 * polling), and the actions on them. Reloads when the connection comes back.
 */
export class DevMachineListModel extends ChangingModel {
  private _machines: DevMachine[] = [];
  private _loading = false;
  private _error: string | undefined;
  /** What the last action on each dev machine failed with, shown on its row. */
  private readonly _actionErrors = new Map<string, string>();
  private _unsubscribe: (() => void) | undefined;
  private _generation = 0;

  constructor(private readonly _connection: IConnectionModel) {
    super();
    _connection.stateChanged.connect(this._onConnection, this);
    if (_connection.state.status === 'connected') void this.refresh();
  }

  get machines(): readonly DevMachine[] {
    return this._machines;
  }

  get loading(): boolean {
    return this._loading;
  }

  get error(): string | undefined {
    return this._error;
  }

  get connected(): boolean {
    return this._connection.state.status === 'connected';
  }

  actionError(id: string): string | undefined {
    return this._actionErrors.get(id);
  }

  async refresh(): Promise<void> {
    const client = this._connection.client;
    if (!client || this.isDisposed) return;
    this._subscribe();
    const generation = ++this._generation;
    this._loading = true;
    this.emit();
    try {
      const { devMachines } = await client.listDevMachines();
      if (generation !== this._generation) return;
      this._machines = [...devMachines].sort(newestFirst);
      this._error = undefined;
    } catch (e) {
      if (generation !== this._generation) return;
      this._error = message(e);
    } finally {
      if (generation === this._generation) this._loading = false;
    }
    this.emit();
  }

  start(id: string): Promise<void> {
    return this._act(id, async (client) => this._put(await client.startDevMachine({ params: { id } })));
  }

  stop(id: string, force = false): Promise<void> {
    return this._act(id, async (client) =>
      this._put(await client.stopDevMachine({ params: { id }, body: force ? { force } : {} })),
    );
  }

  delete(id: string): Promise<void> {
    return this._act(id, async (client) => {
      await client.deleteDevMachine({ params: { id } });
      this._remove(id);
    });
  }

  /** The dev machine's spec under a new name, for the create form. */
  async copy(id: string): Promise<DevMachineSpec | undefined> {
    let spec: DevMachineSpec | undefined;
    await this._act(id, async (client) => {
      spec = (await client.copyDevMachine({ params: { id } })).spec;
    });
    return spec;
  }

  /** Its events, oldest first. */
  async events(id: string): Promise<DevMachineEvent[]> {
    const client = this._connection.client;
    if (!client) return [];
    return (await client.devMachineEvents({ params: { id } })).events;
  }

  /**
   * The URL that opens one of its IDEs signed in as the user: a one-time login link of the
   * platform (one browser, once, for minutes) leading to the IDE's page.
   */
  async ideLink(id: string, ide: DevMachineIde): Promise<string | undefined> {
    const next = this._machines.find((m) => m.id === id)?.urls[ide];
    if (!next) return undefined;
    let url: string | undefined;
    await this._act(id, async () => {
      url = await loginUrl(this._connection, next);
    });
    return url;
  }

  /** Puts a created or changed dev machine in the list at once (the topic says the same soon after). */
  put(machine: DevMachine): void {
    this._put(machine);
  }

  private async _act(id: string, action: (client: NonNullable<IConnectionModel['client']>) => Promise<void>) {
    const client = this._connection.client;
    if (!client) return;
    this._actionErrors.delete(id);
    try {
      await action(client);
    } catch (e) {
      this._actionErrors.set(id, message(e));
    }
    this.emit();
  }

  private _put(machine: DevMachine): void {
    this._machines = [...this._machines.filter((m) => m.id !== machine.id), machine].sort(newestFirst);
    this.emit();
  }

  private _remove(id: string): void {
    const before = this._machines.length;
    this._machines = this._machines.filter((m) => m.id !== id);
    this._actionErrors.delete(id);
    if (this._machines.length !== before) this.emit();
  }

  private _subscribe(): void {
    if (this._unsubscribe) return;
    const events = this._connection.events;
    if (!events) return;
    this._unsubscribe = events.subscribe('devmachines', (event) => {
      if (event.kind !== 'devmachines') return;
      if (event.data.change === 'deleted') this._remove(event.data.id);
      else this._put(event.data.devMachine);
    });
  }

  private _onConnection(): void {
    this._unsubscribe?.();
    this._unsubscribe = undefined;
    if (this._connection.state.status === 'connected') void this.refresh();
    else if (this._connection.state.status === 'disconnected') {
      this._machines = [];
      this.emit();
    }
  }

  protected override onDispose(): void {
    this._unsubscribe?.();
    this._connection.stateChanged.disconnect(this._onConnection, this);
  }
}
