import type { JobLogBatch } from '@aiplat/api';
import { decodeLogCursor, followJobLogs, type LogFollow, type LogFollowOptions, type LogSource } from './jobLogs.js';

export interface LogFollowSend {
  send: (batch: JobLogBatch) => Promise<void>;
  sendEncoded?: (json: string) => Promise<void>;
  /** The job's progress as of a batch's cursor, sent with it. */
  progressAt?: LogFollowOptions['progressAt'];
}

/** The open log follows of every job: finished with the job (their last lines, then `end`), or disposed. */
export class JobLogFollows {
  private readonly follows = new Map<string, Set<LogFollow>>();

  /** Follows `sources` from `cursor`; a job that has `finished` gets the rest of its lines and `end`. */
  follow(
    id: string,
    sources: readonly LogSource[],
    cursor: string | undefined,
    send: LogFollowSend,
    finished: boolean,
  ): () => void {
    const follow = followJobLogs({ sources, cursor: decodeLogCursor(cursor), ...send });
    let set = this.follows.get(id);
    if (!set) this.follows.set(id, (set = new Set()));
    set.add(follow);
    const dispose = () => {
      follow.dispose();
      this.follows.get(id)?.delete(follow);
    };
    if (finished) void follow.finish().catch(dispose).finally(dispose);
    return dispose;
  }

  /** The job has finished: each follow sends the rest of the lines and ends. */
  finish(id: string): void {
    for (const follow of this.follows.get(id) ?? []) {
      follow
        .finish()
        .catch(() => follow.dispose())
        .finally(() => this.follows.get(id)?.delete(follow));
    }
  }

  dispose(id: string): void {
    for (const follow of this.follows.get(id) ?? []) follow.dispose();
    this.follows.delete(id);
  }

  close(): void {
    for (const id of [...this.follows.keys()]) this.dispose(id);
  }
}
