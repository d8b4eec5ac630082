import type { DevMachine } from '@aiplat/api';
import { Dialog, MainAreaWidget, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { Widget } from '@lumino/widgets';
import type { IConnectionModel } from '../tokens.js';
import { DevMachineLogsModel } from './model/devMachineLogsModel.js';
import { LifecycleConfigListModel } from './model/lifecycleConfigListModel.js';
import { DevMachineLogsView } from './views/DevMachineLogs.js';
import { LifecycleConfigsPanel } from './views/LifecycleConfigsPanel.js';

export interface LifecycleViewOptions {
  connection: IConnectionModel;
  trans: TranslationBundle;
  /** Adds a widget to JupyterLab's main area and shows it. */
  openInMain: (widget: Widget) => void;
}

let logCount = 0;
/** The editor open, shown again rather than opened twice. */
let editor: Widget | undefined;

/** Opens the lifecycle configs editor in the main area (shows it again when it is open). */
export function openLifecycleConfigs(options: LifecycleViewOptions): Widget {
  if (editor && !editor.isDisposed) {
    options.openInMain(editor);
    return editor;
  }
  const { connection, trans } = options;
  const content = new LifecycleConfigsPanel({
    model: new LifecycleConfigListModel(connection),
    connection,
    trans,
    confirmDelete: async (config) => {
      const result = await showDialog({
        title: trans.__('Delete lifecycle config'),
        body: trans.__('Delete %1?', config.spec.name),
        buttons: [Dialog.cancelButton({ label: trans.__('Cancel') }), Dialog.warnButton({ label: trans.__('Delete') })],
      });
      return result.button.accept;
    },
  });
  const widget = new MainAreaWidget({ content });
  widget.id = 'aiplat-lifecycleconfigs';
  widget.title.label = trans.__('Lifecycle configs');
  widget.title.closable = true;
  editor = widget;
  options.openInMain(widget);
  return widget;
}

/** Opens a dev machine's lifecycle log (its scripts' output, followed live) in the main area. */
export function openDevMachineLogs(options: LifecycleViewOptions, machine: DevMachine): Widget {
  const { connection, trans } = options;
  const content = new DevMachineLogsView({ model: new DevMachineLogsModel(connection, machine.id), trans });
  const widget = new MainAreaWidget({ content });
  widget.id = `aiplat-devmachine-logs-${machine.id}-${++logCount}`;
  widget.title.label = trans.__('Lifecycle log: %1', machine.spec.name);
  widget.title.closable = true;
  options.openInMain(widget);
  return widget;
}
