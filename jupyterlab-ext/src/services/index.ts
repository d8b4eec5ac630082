import type { Service } from '@aiplat/api';
import { Dialog, InputDialog, MainAreaWidget, showDialog, WidgetTracker } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { Widget } from '@lumino/widgets';
import type { ImageChoices } from '../images/model/imageListModel.js';
import type { IConnectionModel } from '../tokens.js';
import { ServiceDetailModel, type ServiceTab } from './model/serviceDetailModel.js';
import { ServiceFormModel } from './model/serviceFormModel.js';
import { ServiceKeysModel } from './model/serviceKeysModel.js';
import { ServiceListModel } from './model/serviceListModel.js';
import { ServiceUpdateModel } from './model/serviceUpdateModel.js';
import { ServiceDetailView } from './views/ServiceDetail.js';
import { ServiceFormView } from './views/ServiceForm.js';
import { ServiceListPanel } from './views/ServiceListPanel.js';

export interface ServiceViewOptions {
  connection: IConnectionModel;
  trans: TranslationBundle;
  /** Adds a widget to JupyterLab's main area and shows it. */
  openInMain: (widget: Widget) => void;
  /** The open service views, for the layout restorer (see `createServiceViewTracker`). */
  serviceViews?: WidgetTracker<ServiceViewWidget>;
  /** The catalog's images, offered in the deploy form's image field. */
  images?: ImageChoices;
}

/** A service's detail as a main-area widget. */
export type ServiceViewWidget = MainAreaWidget<ServiceDetailView>;

/** The namespace of the service views in JupyterLab's saved layout (`aiplat-service-view:<name>`). */
export const SERVICE_VIEW_NAMESPACE = 'aiplat-service-view';

/** A tracker of the open service views, which the wiring hands to the layout restorer. */
export function createServiceViewTracker(): WidgetTracker<ServiceViewWidget> {
  return new WidgetTracker<ServiceViewWidget>({ namespace: SERVICE_VIEW_NAMESPACE });
}

/** The service a view shows: its name in the saved layout and the argument that opens it again. */
export function serviceNameOfView(widget: ServiceViewWidget): string {
  return widget.content.serviceName;
}

function ask(trans: TranslationBundle, title: string, body: string, action: string): Promise<boolean> {
  return showDialog({
    title,
    body,
    buttons: [Dialog.cancelButton({ label: trans.__('Cancel') }), Dialog.warnButton({ label: action })],
  }).then((result) => result.button.accept);
}

let formCount = 0;

/** Opens the deploy form in the main area, the model folder (relative to /work) prefilled. */
export function openServiceForm(options: ServiceViewOptions, model?: string, list?: ServiceListModel): Widget {
  const { connection, trans } = options;
  let widget: MainAreaWidget<ServiceFormView> | undefined = undefined;
  const content = new ServiceFormView({
    model: new ServiceFormModel(connection, trans, model ? { model } : {}),
    trans,
    ...(options.images ? { images: options.images } : {}),
    onDeployed: (service: Service) => {
      list?.put(service);
      openServiceView(options, service.name);
      widget?.dispose();
    },
  });
  widget = new MainAreaWidget({ content });
  widget.id = `aiplat-service-form-${++formCount}`;
  widget.title.label = model ? trans.__('Deploy %1', model.split('/').pop() ?? model) : trans.__('Deploy service');
  widget.title.closable = true;
  options.openInMain(widget);
  return widget;
}

const openViews = new Map<string, ServiceViewWidget>();

/** Opens (or brings forward) one service's detail in the main area, at `tab` when given. */
export function openServiceView(options: ServiceViewOptions, name: string, tab?: ServiceTab): ServiceViewWidget {
  const existing = openViews.get(name);
  if (existing && !existing.isDisposed) {
    if (tab) existing.content.model.showTab(tab);
    options.openInMain(existing);
    return existing;
  }
  const { connection, trans } = options;
  const model = new ServiceDetailModel(connection, name);
  if (tab) model.showTab(tab);
  const keys = new ServiceKeysModel(connection, name);
  const update = new ServiceUpdateModel(connection, trans, name);
  const content = new ServiceDetailView({
    model,
    keys,
    update,
    trans,
    ...(options.images ? { images: options.images } : {}),
    confirm: (question) => ask(trans, trans.__('Service %1', name), question, trans.__('Yes')),
  });
  const widget = new MainAreaWidget({ content });
  widget.id = `aiplat-service-view-${name}`;
  widget.title.label = trans.__('Service %1', name);
  widget.title.closable = true;
  openViews.set(name, widget);
  widget.disposed.connect(() => {
    if (openViews.get(name) === widget) openViews.delete(name);
  });
  void model.start();
  void keys.refresh();
  void options.serviceViews?.add(widget);
  options.openInMain(widget);
  return widget;
}

/** The service of the view in front, if a service view is and its service was not deleted. */
export function currentServiceName(options: ServiceViewOptions): string | undefined {
  const widget = options.serviceViews?.currentWidget;
  return widget && !widget.content.model.deleted ? serviceNameOfView(widget) : undefined;
}

/**
 * Scales a service's serving version: to `replicas`, or to the number asked for (its replicas
 * now prefilled). Its detail opens at the update form, which shows a refusal at the field.
 */
export async function scaleService(options: ServiceViewOptions, name: string, replicas?: number): Promise<void> {
  const { trans } = options;
  const view = openServiceView(options, name, 'update').content;
  if (!view.model.service) await view.model.refresh();
  const service = view.model.service;
  const serving = service?.versions.find((v) => v.version === service.version);
  let count = replicas;
  if (count === undefined) {
    const answer = await InputDialog.getNumber({
      title: trans.__('Scale %1', name),
      label: trans.__('Replicas of the serving version'),
      value: serving?.spec.replicas ?? 1,
      okLabel: trans.__('Scale'),
      cancelLabel: trans.__('Cancel'),
    });
    if (!answer.button.accept || answer.value === null) return;
    count = answer.value;
  }
  if (service) view.updateForm.follow(service);
  await view.updateForm.scaleTo(count);
}

/** The Services section of the sidebar, and its list (the Models list's Deploy puts new services in it). */
export function createServicesPanel(options: ServiceViewOptions): { panel: Widget; list: ServiceListModel } {
  const { trans } = options;
  const list = new ServiceListModel(options.connection);
  const panel = new ServiceListPanel({
    model: list,
    trans,
    onDeploy: () => openServiceForm(options, undefined, list),
    onOpen: (name) => openServiceView(options, name),
    onUpdate: (name) => openServiceView(options, name, 'update'),
    confirm: (action, service) =>
      action === 'stop'
        ? ask(
            trans,
            trans.__('Stop service'),
            trans.__('Stop %1? Callers get 503 until it starts again.', service.name),
            trans.__('Stop'),
          )
        : ask(
            trans,
            trans.__('Delete service'),
            trans.__('Delete %1 with its versions, tokens and logs? This cannot be undone.', service.name),
            trans.__('Delete'),
          ),
  });
  panel.id = 'aiplat-services-panel';
  return { panel, list };
}
