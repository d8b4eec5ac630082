import type { TranslationBundle } from '@jupyterlab/translation';
import type { CommandRegistry } from '@lumino/commands';
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import { DisposableSet, type IDisposable } from '@lumino/disposable';
import { CommandIDs } from '../commandIds.js';

export interface ServiceCommandDeps {
  trans: TranslationBundle;
  /** The deploy form, a model folder (relative to /work) prefilled when given. */
  deploy: (model?: string) => void;
  /** One service's detail. */
  open: (name: string) => void;
  /** One service's update form (its detail at the Update tab). */
  update: (name: string) => void;
  /** Scales one service: to `replicas`, or to the number asked for. */
  scale: (name: string, replicas?: number) => Promise<void>;
  /** The service of the view in front, if a service view is. */
  currentService: () => string | undefined;
  isConnected: () => boolean;
}

/** The services' commands: the restorer opens views again through `openService`. */
export function addServiceCommands(commands: CommandRegistry, deps: ServiceCommandDeps): IDisposable {
  const { trans } = deps;
  const disposables = new DisposableSet();
  // The service named by the arguments, else the one whose view is in front.
  const serviceOf = (args: ReadonlyPartialJSONObject) =>
    typeof args.name === 'string' ? args.name : deps.currentService();
  disposables.add(
    commands.addCommand(CommandIDs.deployService, {
      label: (args) => (typeof args.model === 'string' ? trans.__('Deploy as Service…') : trans.__('Deploy Service…')),
      caption: trans.__('Deploy a model as an online service'),
      isEnabled: () => deps.isConnected(),
      execute: (args) => deps.deploy(typeof args.model === 'string' ? args.model : undefined),
    }),
  );
  disposables.add(
    commands.addCommand(CommandIDs.openService, {
      label: trans.__('Open Service'),
      execute: (args) => {
        if (typeof args.name === 'string') deps.open(args.name);
      },
    }),
  );
  disposables.add(
    commands.addCommand(CommandIDs.updateService, {
      label: trans.__('Update Service…'),
      caption: trans.__('Roll out a new version of the service, change its replicas, callers or limits'),
      isEnabled: (args) => deps.isConnected() && serviceOf(args) !== undefined,
      execute: (args) => {
        const name = serviceOf(args);
        if (name) deps.update(name);
      },
    }),
  );
  disposables.add(
    commands.addCommand(CommandIDs.scaleService, {
      label: trans.__('Scale Service…'),
      caption: trans.__('Change the number of replicas of the serving version'),
      isEnabled: (args) => deps.isConnected() && serviceOf(args) !== undefined,
      execute: (args) => {
        const name = serviceOf(args);
        if (!name) return;
        return deps.scale(name, typeof args.replicas === 'number' ? args.replicas : undefined);
      },
    }),
  );
  return disposables;
}
