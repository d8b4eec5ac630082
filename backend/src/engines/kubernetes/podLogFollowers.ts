import { Log, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { clusterMessage } from './cluster.js';
import { InstanceLogWriter, PodLogSink } from './podLogs.js';

/*
 * One Log API stream per pod (follow, timestamps), written into its instance's log file. A stream
 * that ends while its pod still runs (the API server's timeout, a dropped connection) is opened
 * again from the last line taken; one that ends after the pod finished is done.
 */

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
  abort?: AbortController;
  sink?: PodLogSink;
  lastKey?: string;
  /** Resolves when the current stream has ended. */
  ended: Promise<void>;
  streaming: boolean;
  /** The pod has finished: its stream ends once the last lines are sent. */
  podFinished: boolean;
  /** The pod has finished and its stream ended: nothing more will come. */
  done: boolean;
}

export class PodLogFollowers {
  private readonly follows = new Map<string, Follow>();
  private readonly writers = new Map<string, InstanceLogWriter>();
  private readonly api: Log;

  constructor(
    kc: KubeConfig,
    private readonly log: Logger,
  ) {
    this.api = new Log(kc);
  }

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
      follow = { target, ended: Promise.resolve(), streaming: false, podFinished: false, done: false };
      this.follows.set(target.uid, follow);
    }
    follow.podFinished ||= finished;
    if (follow.done || follow.streaming) return;
    this.open(follow, finished);
  }

  private open(follow: Follow, finished: boolean): void {
    const { target } = follow;
    const writer = this.writer(target.file);
    const sink = new PodLogSink(writer, follow.lastKey !== undefined ? { after: follow.lastKey } : {});
    follow.sink = sink;
    follow.streaming = true;
    const since = follow.lastKey === undefined ? writer.resumeFrom : undefined;
    let settle!: () => void;
    follow.ended = new Promise<void>((resolve) => (settle = resolve));
    const end = (failed: boolean) => {
      if (!follow.streaming || follow.sink !== sink) return;
      follow.streaming = false;
      follow.lastKey = sink.lastKey ?? follow.lastKey;
      follow.abort = undefined;
      if ((finished || follow.podFinished) && !failed) follow.done = true;
      settle();
    };
    sink.on('finish', () => end(false));
    sink.on('error', (error) => {
      this.log.warn({ err: error, pod: target.pod }, 'writing a pod log failed');
      end(true);
    });
    this.api
      .log(target.namespace, target.pod, target.container, sink, {
        follow: true,
        timestamps: true,
        ...(since !== undefined && follow.lastKey === undefined ? { sinceTime: since } : {}),
      })
      .then((abort) => {
        if (follow.streaming && follow.sink === sink) follow.abort = abort;
        else abort.abort();
      })
      .catch((error: unknown) => {
        this.log.debug({ pod: target.pod, reason: clusterMessage(error) }, 'pod log not readable yet');
        end(true);
      });
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
      follow.abort?.abort();
      follow.sink?.destroy();
      this.follows.delete(uid);
      this.writers.delete(follow.target.file);
    }
  }

  close(): void {
    for (const follow of this.follows.values()) {
      follow.abort?.abort();
      follow.sink?.destroy();
    }
    this.follows.clear();
    this.writers.clear();
  }
}
