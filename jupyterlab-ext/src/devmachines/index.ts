import type { DevMachine, DevMachineSpec } from '@aiplat/api';
import { Dialog, MainAreaWidget, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { Widget } from '@lumino/widgets';
import type { ImageChoices } from '../images/model/imageListModel.js';
import type { IConnectionModel } from '../tokens.js';
import { openGitCredentials, openSshKeys } from './access.js';
import { AutoStopNotifier } from './autoStopNotifier.js';
import { openDevMachineLogs, openLifecycleConfigs, openWhyNotIdle } from './lifecycle.js';
import { DevMachineFormModel } from './model/devMachineFormModel.js';
import { DevMachineListModel } from './model/devMachineListModel.js';
import { DevMachineFormView } from './views/DevMachineForm.js';
import { DevMachineListPanel } from './views/DevMachineListPanel.js';

export interface DevMachineViewOptions {
  connection: IConnectionModel;
  trans: TranslationBundle;
  /** Adds a widget to JupyterLab's main area and shows it. */
  openInMain: (widget: Widget) => void;
  /** The catalog's images, offered in the form's image field. */
  images?: ImageChoices;
  /** Opens "Save environment as image" of a running dev machine. */
  saveAsImage?: (machine: DevMachine) => void;
}

let formCount = 0;

/** Opens the create form in the main area, prefilled from a copied dev machine's spec. */
export function openDevMachineForm(
  options: DevMachineViewOptions,
  list: DevMachineListModel,
  prefill?: DevMachineSpec,
): Widget {
  const { connection, trans } = options;
  let widget: MainAreaWidget<DevMachineFormView> | undefined = undefined;
  const content = new DevMachineFormView({
    model: new DevMachineFormModel(connection, prefill),
    trans,
    ...(options.images ? { images: options.images } : {}),
    onCreated: (machine: DevMachine) => {
      list.put(machine);
      widget?.dispose();
    },
  });
  widget = new MainAreaWidget({ content });
  widget.id = `aiplat-devmachine-form-${++formCount}`;
  widget.title.label = prefill ? trans.__('New dev machine: %1', prefill.name) : trans.__('New dev machine');
  widget.title.closable = true;
  options.openInMain(widget);
  return widget;
}

/** The Dev machines section of the sidebar. */
export function createDevMachinesPanel(options: DevMachineViewOptions): Widget {
  const { trans } = options;
  const model = new DevMachineListModel(options.connection);
  const panel = new DevMachineListPanel({
    model,
    trans,
    onCreate: () => openDevMachineForm(options, model),
    onLifecycleConfigs: () => openLifecycleConfigs(options),
    onSshKeys: () => openSshKeys(options),
    onGitCredentials: () => openGitCredentials(options),
    onLifecycleLog: (machine) => openDevMachineLogs(options, machine),
    onWhyNotIdle: (machine) => openWhyNotIdle(options, machine),
    ...(options.saveAsImage ? { onSaveImage: options.saveAsImage } : {}),
    onCopy: (id) => {
      void model.copy(id).then((spec) => spec && openDevMachineForm(options, model, spec));
    },
    confirmDelete: async (machine) => {
      const result = await showDialog({
        title: trans.__('Delete dev machine'),
        body: trans.__('Delete %1? Its files under /work stay.', machine.spec.name),
        buttons: [Dialog.cancelButton({ label: trans.__('Cancel') }), Dialog.warnButton({ label: trans.__('Delete') })],
      });
      return result.button.accept;
    },
    onOpenIde: (id, ide) => {
      // Opened now, while the click counts as the user's: a window opened after the await is blocked.
      const tab = window.open('', '_blank');
      void model.ideLink(id, ide).then((url) => {
        if (url && tab) tab.location.href = url;
        else tab?.close();
      });
    },
  });
  panel.id = 'aiplat-devmachines-panel';
  // Tells of an auto-stop 10 minutes ahead, in a notification, as long as the panel lives.
  const notifier = new AutoStopNotifier(model, trans);
  panel.disposed.connect(() => notifier.dispose());
  return panel;
}
