import type { ApiClient, JobDetail, LogLine } from '@aiplat/api';
import * as vscode from 'vscode';
import type { EventSource } from '../connection/liveEvents.js';
import { describeError } from '../connection/errorMessage.js';
import { LogFollower } from './logFollower.js';

/** How a line reads in an output channel: its time, then the platform's own lines marked. */
export function formatLogLine(line: LogLine): string {
  const time = line.time.slice(11, 23);
  const marker = line.stream === 'platform' ? '[platform] ' : line.stream === 'stderr' ? '[stderr] ' : '';
  return `${time} ${marker}${line.text}`;
}

interface FollowedJob {
  job: JobDetail;
  follower: LogFollower;
  channels: Map<number, vscode.OutputChannel>;
}

/**
 * Job logs in output channels, one per instance (`AI Platform: mnist-ddp · node-1`), each job
 * followed live by one `LogFollower` while a channel of it is open.
 */
export class JobLogChannels implements vscode.Disposable {
  private readonly followed = new Map<string, FollowedJob>();
  private readonly searches: vscode.OutputChannel[] = [];

  constructor(private readonly events: EventSource) {}

  /** Shows an instance's channel (starting to follow the job if needed). */
  async show(client: ApiClient, job: JobDetail, instance: number): Promise<vscode.OutputChannel> {
    let followed = this.followed.get(job.id);
    if (!followed) {
      const created: FollowedJob = {
        job,
        channels: new Map(),
        follower: new LogFollower({
          client,
          events: this.events,
          jobId: job.id,
          onLines: (lines) => {
            for (const line of lines) this.channel(created, line.instance).appendLine(formatLogLine(line));
          },
          onEnd: () => {
            for (const channel of created.channels.values()) {
              channel.appendLine(vscode.l10n.t('— the job has finished; end of the log —'));
            }
          },
          onError: (error) => this.channel(created, instance).appendLine(describeError(error)),
        }),
      };
      followed = created;
      this.followed.set(job.id, followed);
      this.channel(followed, instance);
      await followed.follower.start();
    }
    const channel = this.channel(followed, instance);
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
    const page = await client.jobLogs({ params: { id: job.id }, query: { search: text, limit: 5000 } });
    const channel = vscode.window.createOutputChannel(
      vscode.l10n.t('AI Platform: "{0}" in {1}', text, job.spec.name),
      'log',
    );
    this.searches.push(channel);
    const name = (index: number) => job.instances.find((i) => i.index === index)?.name ?? String(index);
    for (const line of page.lines) channel.appendLine(`${name(line.instance)} ${formatLogLine(line)}`);
    if (page.more) channel.appendLine(vscode.l10n.t('(more matches: narrow the search)'));
    channel.show(true);
    return { channel, matches: page.lines.length };
  }

  private channel(followed: FollowedJob, instance: number): vscode.OutputChannel {
    let channel = followed.channels.get(instance);
    if (!channel) {
      const name = followed.job.instances.find((i) => i.index === instance)?.name ?? `#${instance}`;
      channel = vscode.window.createOutputChannel(
        vscode.l10n.t('AI Platform: {0} · {1}', followed.job.spec.name, name),
        'log',
      );
      followed.channels.set(instance, channel);
    }
    return channel;
  }

  /** Stops following a job and closes its channels. */
  close(jobId: string): void {
    const followed = this.followed.get(jobId);
    if (!followed) return;
    followed.follower.dispose();
    for (const channel of followed.channels.values()) channel.dispose();
    this.followed.delete(jobId);
  }

  dispose(): void {
    for (const id of [...this.followed.keys()]) this.close(id);
    for (const channel of this.searches.splice(0)) channel.dispose();
  }
}
