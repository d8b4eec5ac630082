import type { DevMachine } from '@aiplat/api';
import { Dialog, MainAreaWidget, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { Widget } from '@lumino/widgets';
import type { IConnectionModel } from '../tokens.js';
import { DevMachineLogsModel } from './model/devMachineLogsModel.js';
import { DevMachineIdleModel } from './model/idleReport.js';
import { LifecycleConfigListModel } from './model/lifecycleConfigListModel.js';
import { DevMachineIdleView } from './views/DevMachineIdle.js';
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

/** The "Why not idle?" views open, by machine id: shown (and looked at) again rather than opened twice. */
const idleViews = new Map<string, MainAreaWidget<DevMachineIdleView>>();

/** Opens "Why not idle?" of a running dev machine in the main area, reading its signals afresh. */
export function openWhyNotIdle(options: LifecycleViewOptions, machine: DevMachine): Widget {
  const open = idleViews.get(machine.id);
  if (open && !open.isDisposed) {
    options.openInMain(open);
    void open.content.model.refresh();
    return open;
  }
  const { connection, trans } = options;
  const model = new DevMachineIdleModel(connection, machine.id);
  const content = new DevMachineIdleView({ model, trans });
  const widget = new MainAreaWidget({ content });
  widget.id = `aiplat-devmachine-idle-${machine.id}`;
  widget.title.label = trans.__('Why not idle: %1', machine.spec.name);
  widget.title.closable = true;
  idleViews.set(machine.id, widget);
  widget.disposed.connect(() => idleViews.delete(machine.id));
  options.openInMain(widget);
  void model.refresh();
  return widget;
}
