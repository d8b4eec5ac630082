import { stringify as toYaml } from 'yaml';
import { instanceCount, jobProgressIn, type Job, type JobEvent, type LogLine, type Resources } from '@aiplat/api';
import { messages } from './messages.js';

/** Characters a terminal shows two columns wide (CJK, Hangul, full-width forms). */
const WIDE =
  /[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6\u{20000}-\u{3FFFD}]/u;

/** Columns `text` takes in a terminal. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) width += WIDE.test(char) ? 2 : 1;
  return width;
}

/** Cuts `text` to at most `max` columns, ending with `...` when cut. */
export function truncate(text: string, max: number): string {
  if (displayWidth(text) <= max) return text;
  let out = '';
  let width = 0;
  for (const char of text) {
    const w = WIDE.test(char) ? 2 : 1;
    if (width + w > max - 3) break;
    out += char;
    width += w;
  }
  return `${out}...`;
}

/** A table as `kubectl get` prints one: a header row, columns left-aligned, three spaces apart. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows].map((row) => row.map((cell) => cell.replace(/[\r\n\t]+/g, ' ')));
  const widths = header.map((_, i) => Math.max(...all.map((row) => displayWidth(row[i] ?? ''))));
  return all
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - displayWidth(cell))))
        .join('   ')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}

/** A duration as kubectl shows ages: 45s, 12m, 3h, 5d (two units under a day: 1h5m). */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${s % 60 && m < 10 ? `${s % 60}s` : ''}`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${m % 60 && h < 10 ? `${m % 60}m` : ''}`;
  const d = Math.floor(h / 24);
  return `${d}d${h % 24 && d < 10 ? `${h % 24}h` : ''}`;
}

export function age(since: string | undefined, now: Date): string {
  if (since === undefined) return '-';
  const t = Date.parse(since);
  return Number.isNaN(t) ? '-' : formatDuration(now.getTime() - t);
}

/** What a job is doing now, in a few words: progress while it runs, why it waits, why it failed. */
export function progressOrReason(job: Job): string {
  const m = messages.progress;
  switch (job.state) {
    case 'Queued':
      return [job.queuePosition === undefined ? '' : m.queuedAt(job.queuePosition), job.waitReason?.message ?? '']
        .filter(Boolean)
        .join(' ');
    case 'Failed':
      return job.reason?.message ?? '';
    case 'Starting':
    case 'Running':
    case 'Stopping':
    case 'Succeeded':
    case 'Stopped':
    case 'Submitting': {
      // A finished job shows what it reached, never an ETA; a starting or stopping one has none to give.
      const p = jobProgressIn(job.state, job.progress);
      if (!p) return '';
      return [
        p.percent === undefined ? '' : `${Math.round(p.percent)}%`,
        p.epoch === undefined ? '' : m.epoch(p.epoch, p.totalEpochs),
        p.step === undefined ? '' : m.step(p.step, p.totalSteps),
        p.etaSeconds === undefined || job.state !== 'Running' ? '' : m.eta(formatDuration(p.etaSeconds * 1000)),
      ]
        .filter(Boolean)
        .join(' ');
    }
  }
}

export const LIST_FORMATS = ['table', 'wide', 'json', 'yaml'] as const;
export type ListFormat = (typeof LIST_FORMATS)[number];

/** The `aiplat list` table; `wide` adds columns and does not cut the last one. */
export function jobsTable(jobs: readonly Job[], now: Date, wide: boolean): string {
  const c = messages.columns;
  const header: string[] = [c.id, c.name, c.state, c.mode, c.nodes, c.queue, c.age];
  if (wide) header.push(c.user, c.engine, c.restarts, c.created);
  header.push(c.progress);
  const rows = jobs.map((job) => {
    const row = [
      job.id,
      job.spec.name,
      job.state,
      job.spec.mode,
      String(instanceCount(job.spec)),
      `${job.spec.queue}(${job.spec.priority})`,
      age(job.createdAt, now),
    ];
    if (wide) row.push(job.user, job.engine, String(job.restarts), job.createdAt);
    const what = progressOrReason(job) || '-';
    row.push(wide ? what : truncate(what, 60));
    return row;
  });
  return table(header, rows);
}

export function eventsTable(events: readonly JobEvent[]): string {
  const c = messages.columns;
  return table(
    [c.time, c.type, c.state, c.instance, c.message],
    events.map((e) => [e.time, e.type, e.state ?? '', e.instance === undefined ? '' : String(e.instance), e.message]),
  );
}

export function resourcesText(r: Resources): string {
  const acc = r.accelerator.type === 'none' ? 'none' : `${r.accelerator.count} ${r.accelerator.type}`;
  return `cpu ${r.cpu}, memory ${String(r.memory)}, accelerator ${acc}`;
}

export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export function toYamlText(value: unknown): string {
  return toYaml(value, { lineWidth: 0 });
}

export interface LogLineFormat {
  /** Instance names by index, when lines get a `[name] ` prefix. */
  prefixes?: ReadonlyMap<number, string>;
  timestamps: boolean;
}

export function formatLogLine(line: LogLine, format: LogLineFormat): string {
  const prefix = format.prefixes ? `[${format.prefixes.get(line.instance) ?? `instance-${line.instance}`}] ` : '';
  const time = format.timestamps ? `${line.time} ` : '';
  return `${prefix}${time}${line.text}\n`;
}
