import type { JobDetail } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import { UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';
import type { JobViewModel } from '../model/jobViewModel.js';
import { isErrorLine } from '../model/logBuffer.js';

/** Lines rendered at once: the latest ones, reaching further back only to show a match or an error. */
export const RENDERED_LOG_LINES = 3000;

function instanceName(job: JobDetail | undefined, index: number): string {
  return job?.instances.find((i) => i.index === index)?.name ?? `#${index}`;
}

/** Per-instance live logs: follow, search (next match), jump to the first error. */
export function JobLogs({ model, trans }: { model: JobViewModel; trans: TranslationBundle }) {
  const [instance, setInstance] = React.useState<number | undefined>(undefined);
  const [search, setSearch] = React.useState('');
  const [current, setCurrent] = React.useState(-1);
  const [follow, setFollow] = React.useState(true);
  const box = React.useRef<HTMLDivElement>(null);

  const reveal = (index: number) => {
    setCurrent(index);
    setFollow(false);
    requestAnimationFrame(() => {
      box.current?.querySelector(`[data-index="${index}"]`)?.scrollIntoView({ block: 'center' });
    });
  };

  return (
    <UseSignal signal={model.logsChanged}>
      {() => {
        const lines = model.logs.lines(instance);
        const first = Math.max(0, Math.min(current >= 0 ? current : lines.length, lines.length - RENDERED_LOG_LINES));
        const matches = search ? model.logs.search(search, instance) : [];
        const matchSet = new Set(matches);
        const instances = [
          ...new Set([...(model.job?.instances.map((i) => i.index) ?? []), ...model.logs.instances()]),
        ];
        instances.sort((a, b) => a - b);
        return (
          <div className="aiplat-logs">
            <div className="aiplat-logs-toolbar">
              <select
                className="jp-mod-styled"
                data-testid="aiplat-log-instance"
                aria-label={trans.__('Instance')}
                value={instance === undefined ? '' : String(instance)}
                onChange={(e) => {
                  setInstance(e.target.value === '' ? undefined : Number(e.target.value));
                  setCurrent(-1);
                }}
              >
                <option value="">{trans.__('All instances')}</option>
                {instances.map((i) => (
                  <option key={i} value={String(i)}>
                    {instanceName(model.job, i)}
                  </option>
                ))}
              </select>
              <input
                className="jp-mod-styled"
                data-testid="aiplat-log-search"
                placeholder={trans.__('Search the logs')}
                value={search}
                onChange={(e) => {
                  setSearch(e.target.value);
                  setCurrent(-1);
                }}
                onKeyDown={(e) => {
                  if (e.key !== 'Enter' || matches.length === 0) return;
                  const next = matches.find((m) => m > current) ?? matches[0];
                  if (next !== undefined) reveal(next);
                }}
              />
              <span className="aiplat-logs-count" data-testid="aiplat-log-search-count">
                {search ? trans.__('%1 matches', matches.length) : ''}
              </span>
              <button
                className="jp-mod-styled"
                data-testid="aiplat-log-search-next"
                disabled={matches.length === 0}
                onClick={() => {
                  const next = matches.find((m) => m > current) ?? matches[0];
                  if (next !== undefined) reveal(next);
                }}
              >
                {trans.__('Next match')}
              </button>
              <button
                className="jp-mod-styled"
                data-testid="aiplat-log-first-error"
                onClick={() => {
                  const index = model.logs.firstError(instance);
                  if (index >= 0) reveal(index);
                }}
              >
                {trans.__('First error')}
              </button>
              <label>
                <input
                  type="checkbox"
                  data-testid="aiplat-log-follow"
                  checked={follow}
                  onChange={(e) => setFollow(e.target.checked)}
                />
                {trans.__('Follow')}
              </label>
            </div>
            {model.logs.dropped > 0 && (
              <div className="aiplat-logs-note">
                {trans.__('%1 earlier lines are not shown; read them with the CLI or the API.', model.logs.dropped)}
              </div>
            )}
            <FollowingBox follow={follow} size={lines.length} boxRef={box} onFollowChange={setFollow}>
              {lines.slice(first).map((line, offset) => {
                const i = first + offset;
                return (
                  <div
                    key={`${line.instance}-${line.seq}`}
                    data-index={i}
                    data-instance={line.instance}
                    className={
                      'aiplat-log-line' +
                      ` aiplat-log-${line.stream}` +
                      (isErrorLine(line) ? ' aiplat-log-error' : '') +
                      (matchSet.has(i) ? ' aiplat-log-match' : '') +
                      (i === current ? ' aiplat-log-current' : '')
                    }
                  >
                    {instance === undefined && (
                      <span className="aiplat-log-instance">{instanceName(model.job, line.instance)}</span>
                    )}
                    {line.text}
                  </div>
                );
              })}
            </FollowingBox>
            {model.logsEnded && (
              <div className="aiplat-logs-note" data-testid="aiplat-log-end">
                {trans.__('End of the logs.')}
              </div>
            )}
          </div>
        );
      }}
    </UseSignal>
  );
}

/** The lines' box, kept scrolled to the bottom while following; scrolling up stops following, back down resumes. */
function FollowingBox(props: {
  follow: boolean;
  size: number;
  boxRef: React.RefObject<HTMLDivElement>;
  onFollowChange: (follow: boolean) => void;
  children: React.ReactNode;
}) {
  const { follow, size, boxRef, onFollowChange } = props;
  React.useEffect(() => {
    const el = boxRef.current;
    if (follow && el) el.scrollTop = el.scrollHeight;
  }, [follow, size, boxRef]);
  return (
    <div
      className="aiplat-logs-lines"
      data-testid="aiplat-job-logs"
      ref={boxRef}
      onScroll={(e) => {
        const el = e.currentTarget;
        const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 8;
        if (atBottom !== follow) onFollowChange(atBottom);
      }}
    >
      {props.children}
    </div>
  );
}
