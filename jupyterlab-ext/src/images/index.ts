import type { DevMachine } from '@aiplat/api';
import { Dialog, MainAreaWidget, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { Widget } from '@lumino/widgets';
import type { IConnectionModel } from '../tokens.js';
import type { ImageListModel } from './model/imageListModel.js';
import { ImageSaveModel } from './model/imageSaveModel.js';
import { ImageListPanel } from './views/ImageListPanel.js';
import { ImageSaveView } from './views/ImageSaveView.js';

export type { ImageChoices } from './model/imageListModel.js';
export { ImageListModel } from './model/imageListModel.js';

export interface ImageViewOptions {
  connection: IConnectionModel;
  trans: TranslationBundle;
  /** Adds a widget to JupyterLab's main area and shows it. */
  openInMain: (widget: Widget) => void;
}

/** The Images section of the sidebar, showing `list` (the catalog the image fields offer too). */
export function createImagesPanel(options: ImageViewOptions, list: ImageListModel): Widget {
  const { trans } = options;
  const panel = new ImageListPanel({
    model: list,
    trans,
    confirmDelete: async (image) => {
      const shared = image.source === 'shared';
      const result = await showDialog({
        title: shared ? trans.__('Remove shared image') : trans.__('Delete image'),
        body: shared
          ? trans.__('Remove %1 from your list? Its owner keeps it.', image.ref)
          : trans.__(
              'Delete %1 from the registry? Dev machines, jobs and services using it can no longer start.',
              image.ref,
            ),
        buttons: [
          Dialog.cancelButton({ label: trans.__('Cancel') }),
          Dialog.warnButton({ label: shared ? trans.__('Remove') : trans.__('Delete') }),
        ],
      });
      return result.button.accept;
    },
  });
  panel.id = 'aiplat-images-panel';
  return panel;
}

const saveForms = new Map<string, MainAreaWidget<ImageSaveView>>();

/** Opens "Save environment as image" of a dev machine in the main area (the one already open, if any). */
export function openImageSaveForm(options: ImageViewOptions, machine: DevMachine): Widget {
  const { connection, trans } = options;
  const open = saveForms.get(machine.id);
  if (open && !open.isDisposed) {
    options.openInMain(open);
    return open;
  }
  const content = new ImageSaveView({
    model: new ImageSaveModel(connection, { id: machine.id, name: machine.spec.name }),
    trans,
  });
  const widget = new MainAreaWidget({ content });
  widget.id = `aiplat-image-save-${machine.id}`;
  widget.title.label = trans.__('Save as image: %1', machine.spec.name);
  widget.title.closable = true;
  widget.disposed.connect(() => saveForms.delete(machine.id));
  saveForms.set(machine.id, widget);
  options.openInMain(widget);
  return widget;
}
