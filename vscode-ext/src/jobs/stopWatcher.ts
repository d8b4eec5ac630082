import { isTerminalJobState, type Job } from '@aiplat/api';
import type { JobsModel } from './jobsModel.js';

/**
 * Tells when a stop the user asked for is done: `onStopped` once the job reaches Stopped, as the
 * live jobs model sees it (a stop takes the grace period, so the answer to the request is only
 * Stopping). A job that ends otherwise (Failed, deleted) is dropped without a word.
 */
export class StopWatcher {
  private readonly waiting = new Set<string>();
  private readonly watch: { dispose(): void };

  constructor(
    private readonly jobs: Pick<JobsModel, 'find' | 'onDidChangeJobs'>,
    private readonly onStopped: (job: Job) => void,
  ) {
    this.watch = jobs.onDidChangeJobs(() => this.check());
  }

  /** Starts waiting for `jobId` to be Stopped (call once the stop was accepted). */
  expect(jobId: string): void {
    this.waiting.add(jobId);
    this.check();
  }

  private check(): void {
    for (const id of [...this.waiting]) {
      const job = this.jobs.find(id);
      if (!job) {
        this.waiting.delete(id);
        continue;
      }
      if (!isTerminalJobState(job.state)) continue;
      this.waiting.delete(id);
      if (job.state === 'Stopped') this.onStopped(job);
    }
  }

  dispose(): void {
    this.waiting.clear();
    this.watch.dispose();
  }
}
