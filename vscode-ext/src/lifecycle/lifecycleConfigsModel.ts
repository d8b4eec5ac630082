import type { ApiClient, LifecycleConfig } from '@aiplat/api';
import type { EventSource } from '../connection/liveEvents.js';
import { LiveListModel } from '../model/liveListModel.js';

/** A change of the user's lifecycle configs: the answer of an action the user just took. */
export type LifecycleConfigChange =
  { change: 'updated'; lifecycleConfig: LifecycleConfig } | { change: 'deleted'; id: string };

/** Lifecycle configs have no topic: the list is read on connect and refresh, and kept by the actions' answers. */
const NO_EVENTS: EventSource = { subscribe: () => ({ dispose: () => undefined }) };

/**
 * The user's lifecycle configs, free of `vscode`: `GET /api/lifecycle-configs`, newest first, kept
 * up to date by what creating, saving and deleting answer.
 */
export type LifecycleConfigsModel = LiveListModel<LifecycleConfig, LifecycleConfigChange>;

export function createLifecycleConfigsModel(client: () => ApiClient | undefined): LifecycleConfigsModel {
  return new LiveListModel<LifecycleConfig, LifecycleConfigChange>(
    { client, events: NO_EVENTS },
    {
      topic: 'lifecycle-configs',
      changeOf: () => undefined,
      listChange: (c) =>
        c.change === 'deleted' ? { change: 'deleted', key: c.id } : { change: 'updated', item: c.lifecycleConfig },
      list: async (api) => (await api.listLifecycleConfigs()).lifecycleConfigs,
      key: (config) => config.id,
    },
  );
}

/** The config named `name`, read again when the list does not have it yet. */
export async function findLifecycleConfig(
  model: LifecycleConfigsModel,
  name: string,
): Promise<LifecycleConfig | undefined> {
  const named = () => model.items.find((config) => config.spec.name === name);
  if (named()) return named();
  await model.refresh();
  return named();
}
