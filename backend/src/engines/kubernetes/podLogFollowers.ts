import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { openPodLogStream, PodLogStreamError } from './podLogStream.js';
import { InstanceLogWriter, PodLogSink, sinceTimeOfKey } from './podLogs.js';

/*
 * One Log API stream per pod (follow, timestamps), written into its instance's log file. A stream
 * that ends or breaks while its pod still runs (the API server's timeout, a dropped connection) is
 * opened again, after a growing delay, from the second of the last line taken, skipping the lines
 * already taken; one that ends after the pod finished is done, and so is one whose pod is gone.
 */

/** Delays before a stream is opened again: the first, doubled on each failure up to the last. */
export interface ReopenDelays {
  firstMs: number;
  maxMs: number;
}

const DEFAULT_REOPEN_DELAYS: ReopenDelays = { firstMs: 500, maxMs: 30_000 };

export interface PodToFollow {
  jobId: string;
  uid: string;
  namespace: string;
  pod: string;
  container: string;
  /** The instance log file its lines go to. */
  file: string;
}

interface Follow {
  target: PodToFollow;
  abort?: () => void;
  sink?: PodLogSink;
  lastKey?: string;
  /** Resolves when the current stream has ended. */
  ended: Promise<void>;
  streaming: boolean;
  /** The pod has finished: its stream ends once the last lines are sent. */
  podFinished: boolean;
  /** The pod has finished and its stream ended: nothing more will come. */
  done: boolean;
  /** The stream is opened again when this fires. */
  reopen?: NodeJS.Timeout;
  /** How long the next reopen waits. */
  delayMs: number;
}

export class PodLogFollowers {
  private readonly follows = new Map<string, Follow>();
  private readonly writers = new Map<string, InstanceLogWriter>();

  constructor(
    private readonly kc: KubeConfig,
    private readonly log: Logger,
    private readonly delays: ReopenDelays = DEFAULT_REOPEN_DELAYS,
  ) {}

  private writer(file: string): InstanceLogWriter {
    let writer = this.writers.get(file);
    if (!writer) this.writers.set(file, (writer = new InstanceLogWriter(file)));
    return writer;
  }

  /**
   * Makes sure the pod's output is being followed. `finished`: the pod has ended, so a stream that
   * ends now is the last one.
   */
  ensure(target: PodToFollow, finished: boolean): void {
    let follow = this.follows.get(target.uid);
    if (!follow) {
      follow = {
        target,
        ended: Promise.resolve(),
        streaming: false,
        podFinished: false,
        done: false,
        delayMs: this.delays.firstMs,
      };
      this.follows.set(target.uid, follow);
    }
    follow.podFinished ||= finished;
    if (follow.done || follow.streaming) return;
    clearTimeout(follow.reopen);
    follow.reopen = undefined;
    this.open(follow, finished);
  }

  private open(follow: Follow, finished: boolean): void {
    const { target } = follow;
    const writer = this.writer(target.file);
    const sink = new PodLogSink(writer, follow.lastKey !== undefined ? { after: follow.lastKey } : {});
    follow.sink = sink;
    follow.streaming = true;
    const since = follow.lastKey !== undefined ? sinceTimeOfKey(follow.lastKey) : writer.resumeFrom;
    let settle!: () => void;
    follow.ended = new Promise<void>((resolve) => (settle = resolve));
    const end = (error?: PodLogStreamError) => {
      if (!follow.streaming || follow.sink !== sink) return;
      follow.streaming = false;
      follow.lastKey = sink.lastKey ?? follow.lastKey;
      follow.abort = undefined;
      if (error?.kind === 'gone' || ((finished || follow.podFinished) && !error)) follow.done = true;
      settle();
      if (!follow.done) this.reopenLater(follow, sink.lines > 0);
    };
    openPodLogStream(
      this.kc,
      { namespace: target.namespace, pod: target.pod, container: target.container, sinceTime: since },
      sink,
    )
      .then((stream) => {
        if (follow.streaming && follow.sink === sink) follow.abort = () => stream.abort();
        else stream.abort();
        return stream.ended;
      })
      .then(
        () => end(),
        (error: unknown) => {
          const failure = error instanceof PodLogStreamError ? error : new PodLogStreamError('broken', String(error));
          if (failure.kind === 'sink')
            this.log.warn({ pod: target.pod, reason: failure.message }, 'writing a pod log failed');
          else this.log.debug({ pod: target.pod, reason: failure.message }, 'pod log stream ended early');
          end(failure);
        },
      );
  }

  /** Opens the stream again after a delay that grows while streams fail without a line. */
  private reopenLater(follow: Follow, madeProgress: boolean): void {
    if (madeProgress) follow.delayMs = this.delays.firstMs;
    const delay = follow.delayMs;
    follow.delayMs = Math.min(follow.delayMs * 2, this.delays.maxMs);
    follow.reopen = setTimeout(() => {
      follow.reopen = undefined;
      if (this.follows.get(follow.target.uid) === follow && !follow.streaming && !follow.done) {
        this.open(follow, follow.podFinished);
      }
    }, delay);
    follow.reopen.unref();
  }

  /**
   * Waits until the streams of a job's finished pods have ended (their last lines written), at
   * most `timeoutMs`. Pods still running are not waited for.
   */
  async drain(jobId: string, timeoutMs: number): Promise<void> {
    const ended = [...this.follows.values()]
      .filter((f) => f.target.jobId === jobId && f.streaming && f.podFinished)
      .map((f) => f.ended);
    if (ended.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(ended),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
  }

  /** Stops following a job's pods (its logs stay in the files). */
  forget(jobId: string): void {
    for (const [uid, follow] of this.follows) {
      if (follow.target.jobId !== jobId) continue;
      clearTimeout(follow.reopen);
      follow.abort?.();
      follow.sink?.destroy();
      this.follows.delete(uid);
      this.writers.delete(follow.target.file);
    }
  }

  close(): void {
    for (const follow of this.follows.values()) {
      clearTimeout(follow.reopen);
      follow.abort?.();
      follow.sink?.destroy();
    }
    this.follows.clear();
    this.writers.clear();
  }
}
