import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { isErrorLine, type LogBuffer } from '../../training/model/logBuffer.js';

/** Lines rendered at once: the latest ones, reaching further back only to show a match. */
const RENDERED_LOG_LINES = 3000;

/** The replicas' logs, live: one replica or all, search (next match), follow the end. */
export function ServiceLogs({
  logs,
  replicas,
  trans,
}: {
  logs: LogBuffer;
  /** The serving version's replica indexes. */
  replicas: readonly number[];
  trans: TranslationBundle;
}) {
  const [replica, setReplica] = React.useState<number | undefined>(undefined);
  const [search, setSearch] = React.useState('');
  const [current, setCurrent] = React.useState(-1);
  const [follow, setFollow] = React.useState(true);
  const box = React.useRef<HTMLDivElement>(null);
  const lines = logs.lines(replica);
  const matches = search ? logs.search(search, replica) : [];
  const matchSet = new Set(matches);
  const first = Math.max(0, Math.min(current >= 0 ? current : lines.length, lines.length - RENDERED_LOG_LINES));
  const choices = [...new Set([...replicas, ...logs.instances()])].sort((a, b) => a - b);

  React.useEffect(() => {
    const el = box.current;
    if (follow && el) el.scrollTop = el.scrollHeight;
  }, [follow, lines.length]);

  const next = () => {
    const found = matches.find((m) => m > current) ?? matches[0];
    if (found === undefined) return;
    setCurrent(found);
    setFollow(false);
    requestAnimationFrame(() =>
      box.current?.querySelector(`[data-index="${found}"]`)?.scrollIntoView({ block: 'center' }),
    );
  };

  return (
    <div className="aiplat-logs aiplat-service-logs">
      <div className="aiplat-logs-toolbar">
        <select
          className="jp-mod-styled"
          data-testid="aiplat-service-log-replica"
          aria-label={trans.__('Replica')}
          value={replica === undefined ? '' : String(replica)}
          onChange={(e) => {
            setReplica(e.target.value === '' ? undefined : Number(e.target.value));
            setCurrent(-1);
          }}
        >
          <option value="">{trans.__('All replicas')}</option>
          {choices.map((i) => (
            <option key={i} value={String(i)}>
              {trans.__('Replica %1', i)}
            </option>
          ))}
        </select>
        <input
          className="jp-mod-styled"
          data-testid="aiplat-service-log-search"
          placeholder={trans.__('Search the logs')}
          value={search}
          onChange={(e) => {
            setSearch(e.target.value);
            setCurrent(-1);
          }}
          onKeyDown={(e) => e.key === 'Enter' && next()}
        />
        <span className="aiplat-logs-count" data-testid="aiplat-service-log-count">
          {search ? trans.__('%1 matches', matches.length) : ''}
        </span>
        <button className="jp-mod-styled" disabled={matches.length === 0} onClick={next}>
          {trans.__('Next match')}
        </button>
        <label>
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} />
          {trans.__('Follow')}
        </label>
      </div>
      {logs.dropped > 0 && (
        <div className="aiplat-logs-note">
          {trans.__('%1 earlier lines are not shown; read them with the CLI or the API.', logs.dropped)}
        </div>
      )}
      <div
        className="aiplat-logs-lines"
        data-testid="aiplat-service-logs"
        ref={box}
        onScroll={(e) => {
          const el = e.currentTarget;
          const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 8;
          if (atBottom !== follow) setFollow(atBottom);
        }}
      >
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
              {replica === undefined && <span className="aiplat-log-instance">#{line.instance}</span>}
              {line.text}
            </div>
          );
        })}
      </div>
    </div>
  );
}
