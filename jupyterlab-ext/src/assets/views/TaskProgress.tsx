import { formatBytes, type AssetTask, type RecordCheck } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { taskFraction } from '../model/assetTasks.js';
import { taskActionLabel, taskPhaseLabel, taskStateLabel } from './assetLabels.js';

/** A running task: what it does, a progress bar with bytes done of the total, and Cancel. */
export function TaskProgress({
  task,
  trans,
  onCancel,
}: {
  task: AssetTask;
  trans: TranslationBundle;
  onCancel: () => void;
}) {
  const fraction = taskFraction(task);
  const bytes = task.bytesTotal
    ? `${formatBytes(task.bytesDone)} / ${formatBytes(task.bytesTotal)}`
    : formatBytes(task.bytesDone);
  return (
    <div className="aiplat-asset-task" data-testid={`aiplat-asset-task-${task.id}`} data-state={task.state}>
      <div className="aiplat-asset-taskLine">
        <span data-testid="aiplat-asset-task-phase">
          {task.version
            ? trans.__(
                '%1 of %2: %3',
                taskActionLabel(task.action, trans),
                task.version,
                taskPhaseLabel(task.phase, trans),
              )
            : trans.__('%1: %2', taskActionLabel(task.action, trans), taskPhaseLabel(task.phase, trans))}
        </span>
        <button
          className="jp-mod-styled jp-mod-warn"
          data-testid={`aiplat-asset-task-cancel-${task.id}`}
          onClick={onCancel}
        >
          {trans.__('Cancel')}
        </button>
      </div>
      {fraction === undefined ? <progress /> : <progress max={1} value={fraction} />}
      <div className="aiplat-jobList-meta" data-testid="aiplat-asset-task-bytes">
        {bytes} · {trans.__('%1 files', task.filesDone.toLocaleString())}
        {task.source ? ` · ${task.source}` : ''}
      </div>
    </div>
  );
}

/** What a dataset import's record check found: the counts, then each bad record at its file:line. */
export function RecordCheckResult({ records, trans }: { records: RecordCheck; trans: TranslationBundle }) {
  return (
    <div className="aiplat-asset-records" data-testid="aiplat-asset-records" data-bad={records.badRecords}>
      <div>
        {records.badRecords === 0
          ? trans.__(
              '%1 records in %2 files checked: all fit the annotation type.',
              records.recordsChecked.toLocaleString(),
              records.filesChecked.toLocaleString(),
            )
          : trans.__(
              '%1 of %2 records in %3 files do not fit the annotation type:',
              records.badRecords.toLocaleString(),
              records.recordsChecked.toLocaleString(),
              records.filesChecked.toLocaleString(),
            )}
      </div>
      {records.problems.length > 0 && (
        <ul className="aiplat-asset-problems">
          {records.problems.map((p, i) => (
            <li key={i} data-testid="aiplat-asset-record-problem">
              <code>{p.line > 0 ? `${p.file}:${p.line}` : p.file}</code> {p.message}
            </li>
          ))}
        </ul>
      )}
      {records.badRecords > records.problems.length && (
        <div className="aiplat-jobList-meta">
          {trans.__('…and %1 more.', (records.badRecords - records.problems.length).toLocaleString())}
        </div>
      )}
    </div>
  );
}

/** A task that ended: its outcome, its message, a dataset import's record check, and Dismiss. */
export function TaskEnded({
  task,
  trans,
  onDismiss,
}: {
  task: AssetTask;
  trans: TranslationBundle;
  onDismiss: () => void;
}) {
  const what = task.version
    ? `${taskActionLabel(task.action, trans)} ${task.version}`
    : taskActionLabel(task.action, trans);
  return (
    <div
      className={`aiplat-asset-taskEnded aiplat-asset-taskEnded-${task.state}`}
      data-testid="aiplat-asset-task-ended"
      data-state={task.state}
      role={task.state === 'failed' ? 'alert' : 'status'}
    >
      <div className="aiplat-asset-taskLine">
        <span>
          {trans.__('%1: %2', what, taskStateLabel(task.state, trans))}
          {task.message ? ` — ${task.message}` : ''}
        </span>
        <button className="jp-mod-styled" data-testid={`aiplat-asset-task-dismiss-${task.id}`} onClick={onDismiss}>
          {trans.__('Dismiss')}
        </button>
      </div>
      {task.records && <RecordCheckResult records={task.records} trans={trans} />}
    </div>
  );
}
