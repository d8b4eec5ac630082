import { randomBytes } from 'node:crypto';
import { ApiError, decodeLifecycleScript, type LifecycleConfig, type LifecycleConfigSpec } from '@aiplat/api';
import type { DevMachineStore } from '../devMachineStore.js';
import type { LifecycleConfigRecord, LifecycleConfigStore } from './lifecycleConfigStore.js';

/** The scripts one start runs, decoded; a script left out is not run. */
export interface LifecycleScripts {
  onCreate?: string;
  onStart?: string;
}

export interface LifecycleConfigServiceDeps {
  store: LifecycleConfigStore;
  devMachines: DevMachineStore;
  now?: () => Date;
}

/**
 * Lifecycle configs, per owner: names unique among an owner's configs, another user's config not
 * found (never forbidden), a config a dev machine names neither deleted nor renamed under it.
 */
export class LifecycleConfigService {
  private readonly now: () => Date;

  constructor(private readonly deps: LifecycleConfigServiceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  list(owner: string): LifecycleConfig[] {
    return this.deps.store.list(owner).map((record) => this.shown(record));
  }

  get(id: string, owner: string): LifecycleConfig {
    return this.shown(this.owned(id, owner));
  }

  create(owner: string, spec: LifecycleConfigSpec): LifecycleConfig {
    this.refuseTakenName(owner, spec.name);
    const at = this.now().toISOString();
    const record: LifecycleConfigRecord = {
      id: `lc-${randomBytes(5).toString('hex')}`,
      owner,
      spec,
      createdAt: at,
      updatedAt: at,
    };
    this.deps.store.insert(record);
    return this.shown(record);
  }

  update(id: string, owner: string, spec: LifecycleConfigSpec): LifecycleConfig {
    const current = this.owned(id, owner);
    if (spec.name !== current.spec.name) {
      this.refuseTakenName(owner, spec.name);
      const users = this.usedBy(current);
      if (users.length > 0) {
        throw new ApiError(
          'conflict',
          `${current.spec.name} is used by ${users.join(', ')}: it cannot be renamed while dev machines name it`,
          { issues: [{ path: 'body.spec.name', message: `used by ${users.join(', ')}` }] },
        );
      }
    }
    const record: LifecycleConfigRecord = { ...current, spec, updatedAt: this.now().toISOString() };
    this.deps.store.replace(record);
    return this.shown(record);
  }

  delete(id: string, owner: string): { deleted: string } {
    const record = this.owned(id, owner);
    const users = this.usedBy(record);
    if (users.length > 0) {
      throw new ApiError(
        'conflict',
        `${record.spec.name} is used by ${users.join(', ')}: remove it from those dev machines (or delete them) first`,
      );
    }
    this.deps.store.delete(id);
    return { deleted: id };
  }

  /** Refuses (400 at the spec's field) a dev machine that names a config its owner does not have. */
  checkReference(owner: string, name: string | undefined): void {
    if (name === undefined || this.deps.store.byName(owner, name)) return;
    const names = this.deps.store.list(owner).map((record) => record.spec.name);
    throw new ApiError(
      'validation_failed',
      `you have no lifecycle config named ${name}${names.length ? ` (yours: ${names.join(', ')})` : '; create one with POST /api/lifecycle-configs'}`,
      { issues: [{ path: 'body.spec.lifecycleConfig', message: `no lifecycle config named ${name}` }] },
    );
  }

  /**
   * What a start of a dev machine runs: its config's on-create script when the machine has never
   * finished one, and its on-start script. Read at each start, so an edited config applies from the next.
   */
  scriptsFor(owner: string, name: string | undefined, created: boolean): LifecycleScripts {
    if (name === undefined) return {};
    const record = this.deps.store.byName(owner, name);
    if (!record) {
      throw new ApiError(
        'conflict',
        `the lifecycle config ${name} this dev machine names is gone: create it again, or start the machine in safe mode`,
      );
    }
    const { onCreate, onStart } = record.spec;
    return {
      ...(onCreate !== undefined && !created ? { onCreate: decodeLifecycleScript(onCreate) } : {}),
      ...(onStart !== undefined ? { onStart: decodeLifecycleScript(onStart) } : {}),
    };
  }

  private usedBy(record: LifecycleConfigRecord): string[] {
    return this.deps.devMachines
      .list(record.owner)
      .filter((machine) => machine.spec.lifecycleConfig === record.spec.name)
      .map((machine) => machine.spec.name);
  }

  private shown(record: LifecycleConfigRecord): LifecycleConfig {
    return { ...record, usedBy: this.usedBy(record) };
  }

  private refuseTakenName(owner: string, name: string): void {
    if (!this.deps.store.byName(owner, name)) return;
    throw new ApiError(
      'conflict',
      `you already have a lifecycle config named ${name}; pick another name or update it`,
      {
        issues: [{ path: 'body.spec.name', message: 'already used by another of your lifecycle configs' }],
      },
    );
  }

  private owned(id: string, owner: string): LifecycleConfigRecord {
    const record = this.deps.store.get(id);
    if (!record || record.owner !== owner) {
      throw new ApiError('not_found', `no lifecycle config ${id} of yours; list them with GET /api/lifecycle-configs`);
    }
    return record;
  }
}
