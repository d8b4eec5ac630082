import * as React from 'react';
import { JobTensorBoard } from '../tensorboard/views/JobTensorBoard.js';
import type { JobDetail, JobSpecInput } from '@aiplat/api';
import { Dialog, MainAreaWidget, showDialog, WidgetTracker } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { Widget } from '@lumino/widgets';
import type { ImageChoices } from '../images/model/imageListModel.js';
import type { IConnectionModel } from '../tokens.js';
import { JobFormModel } from './model/jobFormModel.js';
import { JobListModel } from './model/jobListModel.js';
import { JobViewModel } from './model/jobViewModel.js';
import { scriptPrefill, workRelative } from './model/scriptPrefill.js';
import { JobFormView } from './views/JobForm.js';
import { JobListPanel } from './views/JobListPanel.js';
import { JobView } from './views/JobView.js';

export { RunningJobsCount } from './model/jobListModel.js';

export interface TrainingViewOptions {
  connection: IConnectionModel;
  trans: TranslationBundle;
  /** Adds a widget to JupyterLab's main area (the wiring passes app.shell.add(w, 'main') and activation). */
  openInMain: (widget: Widget) => void;
  /** The open job views, for the layout restorer (see `createJobViewTracker`). */
  jobViews?: WidgetTracker<JobViewWidget>;
  /** The catalog's images, offered in the job form's image field. */
  images?: ImageChoices;
}

/** A job's view as a main-area widget. */
export type JobViewWidget = MainAreaWidget<JobView>;

/** The namespace of the job views in JupyterLab's saved layout (`aiplat-job-view:<job id>`). */
export const JOB_VIEW_NAMESPACE = 'aiplat-job-view';

/** A tracker of the open job views, which the wiring hands to the layout restorer. */
export function createJobViewTracker(): WidgetTracker<JobViewWidget> {
  return new WidgetTracker<JobViewWidget>({ namespace: JOB_VIEW_NAMESPACE });
}

/** The job a view shows: its name in the saved layout and the argument that opens it again. */
export function jobIdOfView(widget: JobViewWidget): string {
  return widget.content.jobId;
}

/** The Training section of the sidebar: the job list with its filters and the New job button. */
export function createTrainingPanel(options: TrainingViewOptions): Widget {
  const model = new JobListModel(options.connection);
  const panel = new JobListPanel({
    model,
    trans: options.trans,
    onNewJob: () => openJobForm(options),
    onOpenJob: (id) => openJobView(options, id),
  });
  panel.id = 'aiplat-training-panel';
  panel.title.label = options.trans.__('Training');
  return panel;
}

let formCount = 0;

function openForm(options: TrainingViewOptions, prefill: Partial<JobSpecInput> | undefined, scriptFile?: string) {
  const { connection, trans, openInMain } = options;
  const model = new JobFormModel(connection, prefill);
  let widget: MainAreaWidget<JobFormView> | undefined = undefined;
  const content = new JobFormView({
    model,
    trans,
    ...(scriptFile ? { scriptFile } : {}),
    ...(options.images ? { images: options.images } : {}),
    onSubmitted: (job: JobDetail) => {
      openJobView(options, job.id);
      widget?.dispose();
    },
  });
  widget = new MainAreaWidget({ content });
  widget.id = `aiplat-job-form-${++formCount}`;
  widget.title.label = prefill?.name ? trans.__('New job: %1', prefill.name) : trans.__('New training job');
  widget.title.closable = true;
  openInMain(widget);
  return widget;
}

/** Opens the new-job form in the main area, prefilled (e.g. from a copied job's spec). */
export function openJobForm(options: TrainingViewOptions, prefill?: Partial<JobSpecInput>): Widget {
  return openForm(options, prefill);
}

/** "Train this script": the form prefilled to run the file at `workPath` (under /work) in its folder. */
export function trainThisScript(options: TrainingViewOptions, workPath: string): Widget {
  const file = workRelative(workPath).split('/').pop() ?? '';
  return openForm(options, scriptPrefill(workPath), file || undefined);
}

const openViews = new Map<string, JobViewWidget>();

/** Opens (or brings forward) the view of one job in the main area. */
export function openJobView(options: TrainingViewOptions, jobId: string): Widget {
  const existing = openViews.get(jobId);
  if (existing && !existing.isDisposed) {
    options.openInMain(existing);
    return existing;
  }
  const { connection, trans } = options;
  const model = new JobViewModel(connection, jobId);
  const content = new JobView({
    model,
    trans,
    onCopy: (spec) => openJobForm(options, spec),
    tensorBoard: (job) => React.createElement(JobTensorBoard, { connection, trans, job }),
    confirmDelete: async (job) => {
      const result = await showDialog({
        title: trans.__('Delete job'),
        body: trans.__('Delete %1 (%2) with its logs? This cannot be undone.', job.spec.name, job.id),
        buttons: [Dialog.cancelButton({ label: trans.__('Cancel') }), Dialog.warnButton({ label: trans.__('Delete') })],
      });
      return result.button.accept;
    },
  });
  const widget = new MainAreaWidget({ content });
  widget.id = `aiplat-job-view-${jobId}`;
  widget.title.label = trans.__('Job %1', jobId);
  widget.title.closable = true;
  model.jobChanged.connect((_, job) => {
    if (job) widget.title.label = trans.__('Job %1', job.spec.name);
  });
  openViews.set(jobId, widget);
  widget.disposed.connect(() => {
    if (openViews.get(jobId) === widget) openViews.delete(jobId);
  });
  void model.start();
  void options.jobViews?.add(widget);
  options.openInMain(widget);
  return widget;
}
