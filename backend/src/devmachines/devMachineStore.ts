import type { DevMachine, DevMachineEvent } from '@aiplat/api';

/** A dev machine as kept: the API's `DevMachine` without what is derived (its URLs), plus the engine's state. */
export interface DevMachineRecord extends Omit<DevMachine, 'urls' | 'autoStopAt'> {
  /** Engine-private state that must survive a backend restart (the local engine's processes). */
  runtime?: unknown;
  /** This run's auto-stop warning was given (cleared by a snooze and at each start). */
  autoStopWarned?: boolean;
}

export type DevMachinePatch = Partial<Omit<DevMachineRecord, 'id' | 'owner' | 'createdAt'>>;

export interface DevMachineStore {
  insert(record: DevMachineRecord): void;
  /** Applies the patch (an `undefined` value clears the field) and returns the new record. */
  update(id: string, patch: DevMachinePatch): DevMachineRecord;
  get(id: string): DevMachineRecord | undefined;
  /** One owner's dev machines, newest first; every dev machine when `owner` is undefined. */
  list(owner?: string): DevMachineRecord[];
  delete(id: string): void;
  appendEvent(id: string, event: DevMachineEvent): void;
  events(id: string): DevMachineEvent[];
}
