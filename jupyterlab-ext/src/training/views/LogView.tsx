import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { isErrorLine, type LogBuffer } from '../model/logBuffer.js';
import { ChoiceBox } from './FormField.js';

/** Lines rendered at once: the latest ones, reaching further back only to show a match or an error. */
export const RENDERED_LOG_LINES = 3000;

/** The test ids of a log view's parts. */
export interface LogViewTestIds {
  select: string;
  search: string;
  count: string;
  next: string;
  follow: string;
  lines: string;
}

export interface LogViewProps {
  logs: LogBuffer;
  trans: TranslationBundle;
  /** The instances (a job's nodes, a service's replicas) known besides those with lines. */
  instances: readonly number[];
  /** An instance in the choice and before its lines when all are shown. */
  instanceLabel: (index: number) => string;
  linePrefix: (index: number) => string;
  /** The choice's label and its "all" option. */
  selectLabel: string;
  allLabel: string;
  testIds: LogViewTestIds;
  /** Offers "First error" with this test id. */
  firstErrorTestId?: string;
  /** Says the logs ended, with this test id. */
  endedTestId?: string;
  className?: string;
}

/** Live logs by instance: follow the end, search (next match), jump to the first error. */
export function LogView(props: LogViewProps) {
  const { logs, trans, testIds } = props;
  const [instance, setInstance] = React.useState<number | undefined>(undefined);
  const [search, setSearch] = React.useState('');
  const [current, setCurrent] = React.useState(-1);
  const [follow, setFollow] = React.useState(true);
  const box = React.useRef<HTMLDivElement>(null);
  const lines = logs.lines(instance);
  const first = Math.max(0, Math.min(current >= 0 ? current : lines.length, lines.length - RENDERED_LOG_LINES));
  const matches = search ? logs.search(search, instance) : [];
  const matchSet = new Set(matches);
  const choices = [...new Set([...props.instances, ...logs.instances()])].sort((a, b) => a - b);

  React.useEffect(() => {
    const el = box.current;
    if (follow && el) el.scrollTop = el.scrollHeight;
  }, [follow, lines.length]);

  const reveal = (index: number) => {
    setCurrent(index);
    setFollow(false);
    requestAnimationFrame(() =>
      box.current?.querySelector(`[data-index="${index}"]`)?.scrollIntoView({ block: 'center' }),
    );
  };
  const next = () => {
    const found = matches.find((m) => m > current) ?? matches[0];
    if (found !== undefined) reveal(found);
  };

  return (
    <div className={`aiplat-logs${props.className ? ` ${props.className}` : ''}`}>
      <div className="aiplat-logs-toolbar">
        <ChoiceBox
          testId={testIds.select}
          label={props.selectLabel}
          value={instance === undefined ? '' : String(instance)}
          onChange={(value) => {
            setInstance(value === '' ? undefined : Number(value));
            setCurrent(-1);
          }}
          options={[['', props.allLabel] as const, ...choices.map((i) => [String(i), props.instanceLabel(i)] as const)]}
        />
        <input
          className="jp-mod-styled"
          data-testid={testIds.search}
          placeholder={trans.__('Search the logs')}
          value={search}
          onChange={(e) => {
            setSearch(e.target.value);
            setCurrent(-1);
          }}
          onKeyDown={(e) => e.key === 'Enter' && next()}
        />
        <span className="aiplat-logs-count" data-testid={testIds.count}>
          {search ? trans.__('%1 matches', matches.length) : ''}
        </span>
        <button className="jp-mod-styled" data-testid={testIds.next} disabled={matches.length === 0} onClick={next}>
          {trans.__('Next match')}
        </button>
        {props.firstErrorTestId && (
          <button
            className="jp-mod-styled"
            data-testid={props.firstErrorTestId}
            onClick={() => {
              const index = logs.firstError(instance);
              if (index >= 0) reveal(index);
            }}
          >
            {trans.__('First error')}
          </button>
        )}
        <label>
          <input
            type="checkbox"
            data-testid={testIds.follow}
            checked={follow}
            onChange={(e) => setFollow(e.target.checked)}
          />
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
        data-testid={testIds.lines}
        ref={box}
        onScroll={(e) => {
          // Scrolling up stops following; back at the bottom it resumes.
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
              {instance === undefined && <span className="aiplat-log-instance">{props.linePrefix(line.instance)}</span>}
              {line.text}
            </div>
          );
        })}
      </div>
      {props.endedTestId && (
        <div className="aiplat-logs-note" data-testid={props.endedTestId}>
          {trans.__('End of the logs.')}
        </div>
      )}
    </div>
  );
}
