import { JOB_STATES, type Job, type JobState } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { progressPercent } from '../model/progressFormat.js';
import type { JobListModel } from '../model/jobListModel.js';
import { formatTime, jobStateLabel } from './labels.js';
import { ModelWidget } from './ModelWidget.js';

export interface JobListPanelProps {
  model: JobListModel;
  trans: TranslationBundle;
  onNewJob: () => void;
  onOpenJob: (id: string) => void;
}

function Filters({ model, trans }: { model: JobListModel; trans: TranslationBundle }) {
  const [tag, setTag] = React.useState(model.filters.tag);
  const state = model.filters.states[0] ?? '';
  return (
    <div className="aiplat-jobList-filters">
      <select
        className="jp-mod-styled"
        data-testid="aiplat-filter-state"
        aria-label={trans.__('State')}
        value={state}
        onChange={(e) => void model.setFilters({ states: e.target.value ? [e.target.value as JobState] : [] })}
      >
        <option value="">{trans.__('All states')}</option>
        {JOB_STATES.map((s) => (
          <option key={s} value={s}>
            {jobStateLabel(s, trans)}
          </option>
        ))}
      </select>
      <label className="aiplat-jobList-mine">
        <input
          type="checkbox"
          data-testid="aiplat-filter-mine"
          checked={model.filters.mine}
          onChange={(e) => void model.setFilters({ mine: e.target.checked })}
        />
        {trans.__('Mine only')}
      </label>
      <input
        className="jp-mod-styled aiplat-jobList-tag"
        data-testid="aiplat-filter-tag"
        placeholder={trans.__('Tag: key or key=value')}
        value={tag}
        onChange={(e) => setTag(e.target.value)}
        onBlur={() => void model.setFilters({ tag })}
        onKeyDown={(e) => {
          if (e.key === 'Enter') void model.setFilters({ tag });
        }}
      />
    </div>
  );
}

function JobRow({ job, trans, onOpen }: { job: Job; trans: TranslationBundle; onOpen: () => void }) {
  const percent = progressPercent(job.progress);
  return (
    <li
      className="aiplat-jobList-item"
      data-testid={`aiplat-job-row-${job.id}`}
      data-state={job.state}
      tabIndex={0}
      title={[trans.__('Open job %1', job.id), job.reason?.message, job.waitReason?.message].filter(Boolean).join('\n')}
      onClick={onOpen}
      onKeyDown={(e) => {
        if (e.key === 'Enter') onOpen();
      }}
    >
      <div className="aiplat-jobList-line">
        {/* Ellipsized when the sidebar is narrow: the tooltip tells the whole name. */}
        <span className="aiplat-jobList-name" title={job.spec.name}>
          {job.spec.name}
        </span>
        <span className={`aiplat-jobState aiplat-jobState-${job.state}`} data-testid={`aiplat-job-row-state-${job.id}`}>
          {jobStateLabel(job.state, trans)}
        </span>
      </div>
      <div className="aiplat-jobList-line aiplat-jobList-meta">
        <span>
          {job.spec.mode} · {job.user} · {formatTime(job.createdAt)}
        </span>
        {job.state === 'Queued' && job.queuePosition !== undefined && (
          <span>{trans.__('#%1 in queue', job.queuePosition)}</span>
        )}
        {percent !== undefined && <span>{Math.round(percent)}%</span>}
      </div>
    </li>
  );
}

function JobList({ model, trans, onNewJob, onOpenJob }: JobListPanelProps) {
  return (
    <div className="aiplat-jobList" data-testid="aiplat-job-list">
      <div className="aiplat-jobList-toolbar">
        <button className="jp-mod-styled jp-mod-accept" data-testid="aiplat-new-job" onClick={onNewJob}>
          {trans.__('New job')}
        </button>
        <button
          className="jp-mod-styled"
          data-testid="aiplat-refresh-jobs"
          title={trans.__('Load the list again')}
          onClick={() => void model.refresh()}
        >
          {trans.__('Refresh')}
        </button>
      </div>
      <Filters model={model} trans={trans} />
      {model.error && (
        <div className="aiplat-error" data-testid="aiplat-job-list-error">
          {model.error}
        </div>
      )}
      {model.jobs.length === 0 && !model.loading && (
        <div className="aiplat-jobList-empty" data-testid="aiplat-job-list-empty">
          {model.user === undefined ? trans.__('Connect to see your training jobs.') : trans.__('No jobs.')}
        </div>
      )}
      <ul className="aiplat-jobList-items">
        {model.jobs.map((job) => (
          <JobRow key={job.id} job={job} trans={trans} onOpen={() => onOpenJob(job.id)} />
        ))}
      </ul>
      {model.hasMore && (
        <button className="jp-mod-styled" data-testid="aiplat-more-jobs" onClick={() => void model.loadMore()}>
          {trans.__('More')}
        </button>
      )}
    </div>
  );
}

/** The sidebar's Training section: the filters, the live job list and the New job button. */
export class JobListPanel extends ModelWidget<JobListPanelProps> {
  constructor(props: JobListPanelProps) {
    super(props, props.model.jobsChanged, JobList, 'aiplat-training-panel');
  }
}
