import { apiErrors } from './apiErrors.js';
import { isRecord, type KubeObject } from './kubeObject.js';

/*
 * Container logs as the kubelet serves them through `pods/<name>/log`: text appended by tests,
 * read whole or followed, with `timestamps`, `sinceTime`/`sinceSeconds`, `tailLines`, `limitBytes`.
 */

export interface LogQuery {
  follow: boolean;
  timestamps: boolean;
  sinceTime?: string;
  sinceSeconds?: number;
  tailLines?: number;
  limitBytes?: number;
}

export interface LogSink {
  write(text: string): void;
  end(): void;
}

interface Entry {
  /** Nanoseconds since the epoch. */
  time: bigint;
  text: string;
  startsLine: boolean;
}

interface ContainerLog {
  entries: Entry[];
  ended: boolean;
  followers: Set<(entry: Entry | 'end') => void>;
}

let lastNanos = 0n;
const epochAtStart = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

/** A strictly increasing wall-clock time in nanoseconds, so every log entry has its own timestamp. */
function nowNanos(): bigint {
  const nanos = epochAtStart + process.hrtime.bigint();
  lastNanos = nanos > lastNanos ? nanos : lastNanos + 1n;
  return lastNanos;
}

/** RFC 3339 with nine fraction digits (the kubelet's RFC3339NanoFixed). */
export function formatNanos(nanos: bigint): string {
  const iso = new Date(Number(nanos / 1_000_000n)).toISOString();
  return iso.replace(/\.\d{3}Z$/, `.${(nanos % 1_000_000_000n).toString().padStart(9, '0')}Z`);
}

function parseTime(text: string): bigint {
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(text);
  const seconds = match ? Date.parse(`${match[1]}${match[3]}`) : NaN;
  if (!match || Number.isNaN(seconds)) throw apiErrors.badRequest(`parsing time "${text}" as RFC 3339 failed`);
  return BigInt(seconds) * 1_000_000n + BigInt((match[2] ?? '').padEnd(9, '0'));
}

/** Which container's log a request reads, or the 400 a real server answers. */
export function logContainer(pod: KubeObject, requested: string | undefined): string {
  const podName = pod.metadata.name ?? '';
  const spec = isRecord(pod.spec) ? pod.spec : {};
  const containers = Array.isArray(spec.containers) ? (spec.containers as { name?: string }[]) : [];
  const names = containers.map((c) => c.name ?? '');
  let container = requested;
  if (container === undefined || container === '') {
    if (names.length !== 1) {
      throw apiErrors.badRequest(
        `a container name must be specified for pod ${podName}, choose one of: [${names.join(' ')}]`,
      );
    }
    container = names[0]!;
  } else if (!names.includes(container)) {
    throw apiErrors.badRequest(`container ${container} is not valid for pod ${podName}`);
  }
  const status = isRecord(pod.status) ? pod.status : {};
  const statuses = Array.isArray(status.containerStatuses)
    ? (status.containerStatuses as Record<string, unknown>[])
    : [];
  const state = statuses.find((s) => s.name === container)?.state as Record<string, { reason?: string }> | undefined;
  const notStarted = state ? state.waiting !== undefined : status.phase === undefined || status.phase === 'Pending';
  if (notStarted) {
    const reason = state?.waiting?.reason ?? 'ContainerCreating';
    throw apiErrors.badRequest(`container "${container}" in pod "${podName}" is waiting to start: ${reason}`);
  }
  return container;
}

export class PodLogs {
  private readonly logs = new Map<string, ContainerLog>();

  private log(namespace: string, pod: string, container: string): ContainerLog {
    const key = `${namespace}/${pod}/${container}`;
    let log = this.logs.get(key);
    if (!log) this.logs.set(key, (log = { entries: [], ended: false, followers: new Set() }));
    return log;
  }

  append(namespace: string, pod: string, container: string, text: string): void {
    const log = this.log(namespace, pod, container);
    if (log.ended) throw new Error(`the log of ${namespace}/${pod} ${container} has ended`);
    for (const text_ of text.match(/[^\n]*\n|[^\n]+$/g) ?? []) {
      const last = log.entries.at(-1);
      const entry = { time: nowNanos(), text: text_, startsLine: last === undefined || last.text.endsWith('\n') };
      log.entries.push(entry);
      for (const follower of log.followers) follower(entry);
    }
  }

  /** Ends the container's log: followers get the end of their response. */
  end(namespace: string, pod: string, container: string): void {
    const log = this.log(namespace, pod, container);
    log.ended = true;
    for (const follower of log.followers) follower('end');
    log.followers.clear();
  }

  /** Forgets a deleted pod's logs and ends their followers. */
  forgetPod(namespace: string, pod: string): void {
    const prefix = `${namespace}/${pod}/`;
    for (const [key, log] of this.logs) {
      if (!key.startsWith(prefix)) continue;
      for (const follower of log.followers) follower('end');
      this.logs.delete(key);
    }
  }

  /** Writes the log to `sink` as `query` asks; when following, until the log ends or the returned stop is called. */
  read(namespace: string, pod: string, container: string, query: LogQuery, sink: LogSink): () => void {
    const log = this.log(namespace, pod, container);
    const since =
      query.sinceTime !== undefined
        ? parseTime(query.sinceTime)
        : query.sinceSeconds !== undefined
          ? nowNanos() - BigInt(query.sinceSeconds) * 1_000_000_000n
          : undefined;
    let entries = log.entries.filter((entry) => since === undefined || entry.time >= since);
    if (query.tailLines !== undefined) {
      const starts = entries.flatMap((entry, i) => (entry.startsLine ? [i] : []));
      entries = query.tailLines <= 0 ? [] : entries.slice(starts.at(-query.tailLines) ?? 0);
    }
    let budget = query.limitBytes ?? Infinity;
    /** Writes one entry within the byte limit; false once the limit is reached. */
    const emit = (entry: Entry): boolean => {
      const text = query.timestamps && entry.startsLine ? `${formatNanos(entry.time)} ${entry.text}` : entry.text;
      const buffer = Buffer.from(text);
      const bytes = Math.min(buffer.length, budget);
      if (bytes > 0) sink.write(buffer.subarray(0, bytes).toString());
      budget -= bytes;
      return budget > 0;
    };
    for (const entry of entries) {
      if (!emit(entry)) {
        sink.end();
        return () => {};
      }
    }
    if (!query.follow || log.ended) {
      sink.end();
      return () => {};
    }
    const follower = (entry: Entry | 'end') => {
      if (entry !== 'end' && emit(entry)) return;
      log.followers.delete(follower);
      sink.end();
    };
    log.followers.add(follower);
    return () => log.followers.delete(follower);
  }
}
