import type { LifecycleConfig } from '@aiplat/api';

/** A lifecycle config as kept: what the API shows, less what is derived (who uses it). */
export type LifecycleConfigRecord = Omit<LifecycleConfig, 'usedBy'>;

export interface LifecycleConfigStore {
  insert(record: LifecycleConfigRecord): void;
  replace(record: LifecycleConfigRecord): void;
  get(id: string): LifecycleConfigRecord | undefined;
  byName(owner: string, name: string): LifecycleConfigRecord | undefined;
  /** One owner's configs, newest first. */
  list(owner: string): LifecycleConfigRecord[];
  delete(id: string): void;
}
