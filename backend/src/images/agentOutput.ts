import { Writable } from 'node:stream';

/** The new layer as the snapshot agent reports it once written. */
export interface LayerDigests {
  digest: string;
  diffId: string;
  size: number;
  files: number;
}

export interface AgentReports {
  /** What the layer will hold: the totals progress goes towards. */
  onPlan(plan: { bytes: number; files: number }): void;
  onProgress(progress: { bytes: number; files: number }): void;
  onDone(done: LayerDigests): void;
  onError(message: string): void;
}

/**
 * Reads the snapshot agent's stderr: JSON lines `{"plan":…}`, `{"progress":…}`, `{"done":…}`, `{"error":"…"}`.
 * Any other line (a crash's stack, the runtime's own complaints) is kept as the tail an error reports.
 */
export function agentStderr(reports: AgentReports): Writable & { tail(): string } {
  let pending = '';
  const other: string[] = [];
  const line = (text: string) => {
    if (!text.trim()) return;
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      other.push(text);
      if (other.length > 20) other.shift();
      return;
    }
    const m = message as {
      plan?: { bytes: number; files: number };
      progress?: { bytes: number; files: number };
      done?: LayerDigests;
      error?: string;
    };
    if (m.plan) reports.onPlan(m.plan);
    else if (m.progress) reports.onProgress(m.progress);
    else if (m.done) reports.onDone(m.done);
    else if (typeof m.error === 'string') reports.onError(m.error);
    else other.push(text);
  };
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      pending += chunk.toString('utf8');
      let newline = pending.indexOf('\n');
      while (newline >= 0) {
        line(pending.slice(0, newline));
        pending = pending.slice(newline + 1);
        newline = pending.indexOf('\n');
      }
      // A line longer than this is not the protocol: keep its end only.
      if (pending.length > 65_536) pending = pending.slice(-4096);
      callback();
    },
    final(callback) {
      line(pending);
      pending = '';
      callback();
    },
  });
  return Object.assign(stream, { tail: () => other.slice(-5).join('\n') });
}
