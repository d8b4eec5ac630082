import { formatBytes, isTerminalJobState, type JobDetail, type JobSpec } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import { UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';
import { lossChartData, metricChartData } from '../model/chartData.js';
import type { JobViewModel } from '../model/jobViewModel.js';
import { formatDuration, progressParts } from '../model/progressFormat.js';
import { JobLogs } from './JobLogs.js';
import { eventTypeLabel, formatTime, instanceStateLabel, jobStateLabel } from './labels.js';
import { MetricChart } from './MetricChart.js';
import { ModelWidget } from './ModelWidget.js';
import { StateBadge } from './StateBadge.js';
import { TabBar } from './TabBar.js';

export interface JobViewProps {
  model: JobViewModel;
  trans: TranslationBundle;
  /** Opens the new-job form with this spec (copy). */
  onCopy: (spec: JobSpec) => void;
  /** Asks before deleting; resolves true to go ahead. */
  confirmDelete: (job: JobDetail) => Promise<boolean>;
  /** The TensorBoard tab's content for the job (its scalars, live). */
  tensorBoard?: (job: JobDetail) => React.ReactElement;
}

type Tab = 'overview' | 'logs' | 'events' | 'metrics' | 'tensorboard';

/** The progress header: the model's progress, which moves with the log batches (one source with the log pane). */
function Progress({ model, trans }: { model: JobViewModel; trans: TranslationBundle }) {
  return (
    <UseSignal signal={model.progressChanged}>
      {() => {
        const job = model.job;
        if (!job) return null;
        const { percent, counters, secondsLeft } = progressParts(job.state, model.progress, Date.now());
        if (percent === undefined && secondsLeft === undefined && !counters) return null;
        return (
          <div className="aiplat-jobView-progress" data-testid="aiplat-job-progress">
            {percent !== undefined && (
              <progress max={100} value={percent} aria-label={trans.__('Progress')}>
                {Math.round(percent)}%
              </progress>
            )}
            {percent !== undefined && <span data-testid="aiplat-job-percent">{Math.round(percent)}%</span>}
            {counters && <span data-testid="aiplat-job-counters">{counters}</span>}
            {secondsLeft !== undefined && (
              <span data-testid="aiplat-job-eta">{trans.__('ETA %1', formatDuration(secondsLeft))}</span>
            )}
          </div>
        );
      }}
    </UseSignal>
  );
}

function Actions({ model, trans, onCopy, confirmDelete }: JobViewProps) {
  const job = model.job;
  const [busy, setBusy] = React.useState(false);
  const run = (action: () => Promise<unknown>) => {
    setBusy(true);
    void action().finally(() => setBusy(false));
  };
  if (!job || model.deleted) return null;
  const terminal = isTerminalJobState(job.state);
  return (
    <div className="aiplat-jobView-actions">
      {!terminal && (
        <>
          <button
            className="jp-mod-styled jp-mod-warn"
            data-testid="aiplat-stop-job"
            disabled={busy || job.state === 'Stopping'}
            onClick={() => run(() => model.stop(false))}
          >
            {trans.__('Stop')}
          </button>
          <button
            className="jp-mod-styled jp-mod-warn"
            data-testid="aiplat-force-stop-job"
            title={trans.__('Stop at once, without the grace period')}
            disabled={busy}
            onClick={() => run(() => model.stop(true))}
          >
            {trans.__('Force stop')}
          </button>
        </>
      )}
      {terminal && (
        <button
          className="jp-mod-styled"
          data-testid="aiplat-start-again-job"
          disabled={busy}
          onClick={() => run(() => model.startAgain())}
        >
          {trans.__('Start again')}
        </button>
      )}
      <button
        className="jp-mod-styled"
        data-testid="aiplat-copy-job"
        disabled={busy}
        onClick={() =>
          run(async () => {
            const spec = await model.copySpec();
            if (spec) onCopy(spec);
          })
        }
      >
        {trans.__('Copy')}
      </button>
      {terminal && (
        <button
          className="jp-mod-styled jp-mod-warn"
          data-testid="aiplat-delete-job"
          disabled={busy}
          onClick={() =>
            run(async () => {
              if (await confirmDelete(job)) await model.remove();
            })
          }
        >
          {trans.__('Delete')}
        </button>
      )}
    </div>
  );
}

function Overview({ job, trans }: { job: JobDetail; trans: TranslationBundle }) {
  return (
    <div className="aiplat-jobView-overview">
      {job.reason && (
        <div className="aiplat-error" data-testid="aiplat-job-reason">
          {job.reason.message}
        </div>
      )}
      {job.state === 'Queued' && (
        <div className="aiplat-jobView-wait" data-testid="aiplat-job-wait">
          {job.queuePosition !== undefined && trans.__('#%1 in queue', job.queuePosition)} {job.waitReason?.message}
        </div>
      )}
      <dl className="aiplat-jobView-facts">
        <dt>{trans.__('Mode')}</dt>
        <dd>{job.spec.mode}</dd>
        <dt>{trans.__('Command')}</dt>
        <dd>
          <code>{job.spec.command}</code>
        </dd>
        <dt>{trans.__('Working folder')}</dt>
        <dd>/work/{job.spec.workingDir}</dd>
        <dt>{trans.__('Engine')}</dt>
        <dd>{job.engine}</dd>
        <dt>{trans.__('Priority')}</dt>
        <dd>P{job.spec.priority}</dd>
        <dt>{trans.__('Queue')}</dt>
        <dd>{job.spec.queue}</dd>
        <dt>{trans.__('Owner')}</dt>
        <dd>{job.user}</dd>
        <dt>{trans.__('Created')}</dt>
        <dd>{formatTime(job.createdAt)}</dd>
        {job.startedAt && (
          <>
            <dt>{trans.__('Started')}</dt>
            <dd>{formatTime(job.startedAt)}</dd>
          </>
        )}
        {job.finishedAt && (
          <>
            <dt>{trans.__('Finished')}</dt>
            <dd>{formatTime(job.finishedAt)}</dd>
          </>
        )}
        <dt>{trans.__('Restarts')}</dt>
        <dd>{job.restarts}</dd>
      </dl>
      <table className="aiplat-jobView-instances" data-testid="aiplat-job-instances">
        <thead>
          <tr>
            <th>{trans.__('Instance')}</th>
            <th>{trans.__('State')}</th>
            <th>{trans.__('Host')}</th>
            <th>{trans.__('Exit code')}</th>
          </tr>
        </thead>
        <tbody>
          {job.instances.map((i) => (
            <tr key={i.index} data-testid={`aiplat-job-instance-${i.index}`} data-state={i.state}>
              <td>{i.name}</td>
              <td>{instanceStateLabel(i.state, trans)}</td>
              <td>{i.pod ?? i.host ?? ''}</td>
              <td>{i.exitCode ?? i.signal ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Events({ model, trans }: { model: JobViewModel; trans: TranslationBundle }) {
  return (
    <UseSignal signal={model.eventsChanged}>
      {() => (
        <table className="aiplat-jobView-events" data-testid="aiplat-job-events">
          <tbody>
            {model.events.map((e, i) => (
              <tr key={i} data-type={e.type}>
                <td>{formatTime(e.time)}</td>
                <td>{eventTypeLabel(e.type, trans)}</td>
                <td>{e.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </UseSignal>
  );
}

function Metrics({ model, trans }: { model: JobViewModel; trans: TranslationBundle }) {
  const live = model.job !== undefined && !isTerminalJobState(model.job.state);
  // A live job's points arrive as they are sampled; a finished job's are read once.
  React.useEffect(() => {
    if (live) return model.followMetrics();
    void model.refreshMetrics();
  }, [model, live]);
  const name = (index: number) => model.job?.instances.find((i) => i.index === index)?.name ?? `#${index}`;
  const percent = (v: number) => `${v < 10 ? v.toFixed(1) : Math.round(v)}%`;
  return (
    <UseSignal signal={model.metricsChanged}>
      {() => {
        const charts = [
          { kind: 'cpu' as const, title: trans.__('CPU (100% = one core)'), format: percent },
          { kind: 'memory' as const, title: trans.__('Memory'), format: formatBytes },
          { kind: 'accelerator' as const, title: trans.__('Accelerator utilization'), format: percent },
          { kind: 'acceleratorMemory' as const, title: trans.__('Accelerator memory'), format: formatBytes },
        ]
          .map((c) => ({ ...c, data: metricChartData(model.metrics, c.kind) }))
          .filter((c) => c.data.series.length > 0);
        const loss = lossChartData(model.logs.lines());
        return (
          <div className="aiplat-jobView-metrics" data-testid="aiplat-job-metrics">
            <button
              className="jp-mod-styled"
              data-testid="aiplat-refresh-metrics"
              onClick={() => void model.refreshMetrics()}
            >
              {trans.__('Refresh')}
            </button>
            {charts.length === 0 && <div className="aiplat-logs-note">{trans.__('No metrics yet.')}</div>}
            {charts.map((c) => (
              <MetricChart
                key={c.kind}
                testId={`aiplat-chart-${c.kind}`}
                title={c.title}
                data={c.data}
                seriesLabel={name}
                formatValue={c.format}
              />
            ))}
            {loss.series.length > 0 && (
              <MetricChart
                testId="aiplat-chart-loss"
                title={trans.__('Loss (from the logs)')}
                data={loss}
                seriesLabel={name}
                formatValue={(v) => v.toPrecision(3)}
              />
            )}
          </div>
        );
      }}
    </UseSignal>
  );
}

function JobViewBody(props: JobViewProps) {
  const { model, trans } = props;
  const [tab, setTab] = React.useState<Tab>('logs');
  const job = model.job;
  const tabs: { id: Tab; label: string }[] = [
    { id: 'overview', label: trans.__('Overview') },
    { id: 'logs', label: trans.__('Logs') },
    { id: 'events', label: trans.__('Events') },
    { id: 'metrics', label: trans.__('Metrics') },
    ...(props.tensorBoard ? [{ id: 'tensorboard' as const, label: trans.__('TensorBoard') }] : []),
  ];
  return (
    <div className="aiplat-jobView" data-testid="aiplat-job-view" data-job-id={model.jobId}>
      <div className="aiplat-jobView-header">
        <h2>{job?.spec.name ?? model.jobId}</h2>
        {job && (
          <StateBadge
            kind="aiplat-jobState"
            state={job.state}
            label={jobStateLabel(job.state, trans)}
            testId="aiplat-job-state"
          />
        )}
        {model.deleted && (
          <span className="aiplat-jobState" data-testid="aiplat-job-deleted">
            {trans.__('Deleted')}
          </span>
        )}
        <span className="aiplat-jobView-id">{model.jobId}</span>
      </div>
      <Actions {...props} />
      {model.error && (
        <div className="aiplat-error" data-testid="aiplat-job-error">
          {model.error}
        </div>
      )}
      <Progress model={model} trans={trans} />
      <TabBar tabs={tabs} current={tab} onSelect={setTab} testIdPrefix="aiplat-job-tab-" />
      <div className="aiplat-tab-body">
        {tab === 'overview' && job && <Overview job={job} trans={trans} />}
        {tab === 'logs' && <JobLogs model={model} trans={trans} />}
        {tab === 'events' && <Events model={model} trans={trans} />}
        {tab === 'metrics' && <Metrics model={model} trans={trans} />}
        {tab === 'tensorboard' && job && props.tensorBoard?.(job)}
      </div>
    </div>
  );
}

/** One job in the main area: state, actions, progress, logs, events and metrics. */
export class JobView extends ModelWidget<JobViewProps> {
  constructor(props: JobViewProps) {
    super(props, props.model.jobChanged, JobViewBody, 'aiplat-jobView-widget');
  }

  /** The job shown. */
  get jobId(): string {
    return this.props.model.jobId;
  }
}
