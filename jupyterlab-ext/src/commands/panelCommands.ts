import { Notification } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { CommandRegistry } from '@lumino/commands';
import { DisposableSet, type IDisposable } from '@lumino/disposable';
import { CommandIDs } from '../commandIds.js';

export interface PanelCommandDeps {
  trans: TranslationBundle;
  showPanel: () => void;
  newJob: () => void;
  openJob: (id: string) => void;
  /** A TensorBoard view of a folder under /work (an API path such as home/runs). */
  openTensorBoard: (path: string) => void;
  trainThisScript: (workPath: string) => void;
  /** The /work path of the file the command is about: the file browser's selection or the open editor's file. */
  currentFile: (from: 'browser' | 'editor' | undefined) => { workPath?: string; contentsPath?: string };
  isConnected: () => boolean;
}

/** The sidebar's commands; the palette and menus refer to them by id. */
export function addPanelCommands(commands: CommandRegistry, deps: PanelCommandDeps): IDisposable {
  const { trans } = deps;
  const disposables = new DisposableSet();
  disposables.add(
    commands.addCommand(CommandIDs.openPanel, {
      label: trans.__('Open the AI Platform Panel'),
      execute: () => deps.showPanel(),
    }),
  );
  disposables.add(
    commands.addCommand(CommandIDs.newJob, {
      label: trans.__('New Training Job…'),
      caption: trans.__('Fill in and submit a training job'),
      isEnabled: () => deps.isConnected(),
      execute: () => deps.newJob(),
    }),
  );
  disposables.add(
    commands.addCommand(CommandIDs.openJob, {
      label: trans.__('Open Training Job'),
      execute: (args) => {
        if (typeof args.id === 'string') deps.openJob(args.id);
      },
    }),
  );
  disposables.add(
    commands.addCommand(CommandIDs.openTensorBoard, {
      label: trans.__('Open in TensorBoard'),
      execute: (args) => {
        if (typeof args.path === 'string') deps.openTensorBoard(args.path);
      },
    }),
  );
  disposables.add(
    commands.addCommand(CommandIDs.trainThisScript, {
      label: trans.__('Train This Script…'),
      caption: trans.__('Open a new training job that runs this file'),
      isEnabled: () => deps.isConnected(),
      execute: (args) => {
        const from = args.from === 'browser' || args.from === 'editor' ? args.from : undefined;
        const file = deps.currentFile(from);
        if (file.workPath !== undefined) {
          deps.trainThisScript(file.workPath);
        } else if (file.contentsPath !== undefined) {
          Notification.error(
            trans.__(
              '%1 is not under /work, so a training job cannot see it. Move it into your home folder under /work.',
              file.contentsPath,
            ),
            { autoClose: 8000 },
          );
        } else {
          Notification.info(trans.__('Select a file in the file browser or open it in an editor first.'), {
            autoClose: 5000,
          });
        }
      },
    }),
  );
  return disposables;
}
