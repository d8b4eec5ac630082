import type { ApiClient, JobDetail } from '@aiplat/api';
import * as vscode from 'vscode';
import type { EventSource } from '../connection/liveEvents.js';
import { FollowedLog, showLogSearch } from './followedLog.js';
import { jobLogSource, type LogFollower } from './logFollower.js';

/**
 * Job logs in output channels, one per instance (`AI Platform: mnist-ddp · node-1`), each job
 * followed live by one `LogFollower` while a channel of it is open.
 */
export class JobLogChannels implements vscode.Disposable {
  private readonly followed = new Map<string, FollowedLog>();
  private readonly searches: vscode.OutputChannel[] = [];

  constructor(private readonly events: EventSource) {}

  /** Shows an instance's channel (starting to follow the job if needed). */
  async show(client: ApiClient, job: JobDetail, instance: number): Promise<vscode.OutputChannel> {
    let followed = this.followed.get(job.id);
    if (!followed) {
      followed = new FollowedLog({
        client,
        events: this.events,
        source: jobLogSource(job.id),
        channelName: (index) =>
          vscode.l10n.t('AI Platform: {0} · {1}', job.spec.name, instanceName(job, index, `#${index}`)),
        endLine: vscode.l10n.t('— the job has finished; end of the log —'),
        errorInstance: instance,
      });
      this.followed.set(job.id, followed);
      await followed.follower.start();
    }
    const channel = followed.channel(instance);
    channel.show(true);
    return channel;
  }

  /** The follower of a job, while followed (for tests and the cursor). */
  follower(jobId: string): LogFollower | undefined {
    return this.followed.get(jobId)?.follower;
  }

  /** Runs a server-side search over a job's logs and shows the matches in their own channel. */
  async search(
    client: ApiClient,
    job: JobDetail,
    text: string,
  ): Promise<{ channel: vscode.OutputChannel; matches: number }> {
    const found = await showLogSearch(
      (query) => client.jobLogs({ params: { id: job.id }, query }),
      text,
      vscode.l10n.t('AI Platform: "{0}" in {1}', text, job.spec.name),
      (index) => instanceName(job, index, String(index)),
    );
    this.searches.push(found.channel);
    return found;
  }

  /** Stops following a job and closes its channels. */
  close(jobId: string): void {
    this.followed.get(jobId)?.dispose();
    this.followed.delete(jobId);
  }

  dispose(): void {
    for (const id of [...this.followed.keys()]) this.close(id);
    for (const channel of this.searches.splice(0)) channel.dispose();
  }
}

function instanceName(job: JobDetail, index: number, fallback: string): string {
  return job.instances.find((i) => i.index === index)?.name ?? fallback;
}
