import type { TranslationBundle } from '@jupyterlab/translation';
import type { CommandRegistry } from '@lumino/commands';
import { DisposableSet, type IDisposable } from '@lumino/disposable';
import { CommandIDs } from '../commandIds.js';

export interface ServiceCommandDeps {
  trans: TranslationBundle;
  /** The deploy form, a model folder (relative to /work) prefilled when given. */
  deploy: (model?: string) => void;
  /** One service's detail. */
  open: (name: string) => void;
  isConnected: () => boolean;
}

/** The services' commands: the restorer opens views again through `openService`. */
export function addServiceCommands(commands: CommandRegistry, deps: ServiceCommandDeps): IDisposable {
  const { trans } = deps;
  const disposables = new DisposableSet();
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
  return disposables;
}
