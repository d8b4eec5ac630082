import type { DevMachineChange, LifecycleConfig } from '@aiplat/api';
import { LiveListModel, type ListChange } from '../../model/liveListModel.js';
import type { IConnectionModel } from '../../tokens.js';

function newestFirst(a: LifecycleConfig, b: LifecycleConfig): number {
  return b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id);
}

/** A config's scripts' encoded sizes (0 for a script it does not have). */
export function configSizes(config: LifecycleConfig): { onCreate: number; onStart: number } {
  return { onCreate: config.spec.onCreate?.length ?? 0, onStart: config.spec.onStart?.length ?? 0 };
}

/**
 * Whether a dev machine's change may change a config's `usedBy`: a machine naming a config that
 * does not list it yet, or a deleted machine while any config is in use. Lifecycle configs have no
 * topic of their own, so the list reads itself again then.
 */
export function usageMayChange(configs: readonly LifecycleConfig[], change: DevMachineChange): boolean {
  if (change.change === 'deleted') return configs.some((c) => c.usedBy.length > 0);
  const { name, lifecycleConfig } = change.devMachine.spec;
  if (lifecycleConfig === undefined) return false;
  const config = configs.find((c) => c.spec.name === lifecycleConfig);
  return config !== undefined && !config.usedBy.includes(name);
}

/** The user's lifecycle configs, newest first, kept current as dev machines come and go, and their delete. */
export class LifecycleConfigListModel extends LiveListModel<LifecycleConfig> {
  constructor(connection: IConnectionModel) {
    // The options are made before `this` exists; their change reads the list once it does.
    const list: { model?: LifecycleConfigListModel } = {};
    super(connection, {
      topic: 'devmachines',
      load: async (client) => (await client.listLifecycleConfigs()).lifecycleConfigs,
      changeOf: (event): ListChange<LifecycleConfig> => {
        if (event.kind !== 'devmachines') return undefined;
        return list.model && usageMayChange(list.model.items, event.data) ? { reload: true } : undefined;
      },
      keyOf: (config) => config.id,
      order: newestFirst,
    });
    list.model = this;
  }

  get configs(): readonly LifecycleConfig[] {
    return this.items;
  }

  /** Deletes it; a refusal (in use: 409) is kept as its action error. */
  delete(id: string): Promise<void> {
    return this.act(id, async (client) => {
      await client.deleteLifecycleConfig({ params: { id } });
      this.remove(id);
    });
  }
}
