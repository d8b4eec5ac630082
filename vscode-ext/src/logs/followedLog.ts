import type { ApiClient, JobLogsResponse, LogLine } from '@aiplat/api';
import * as vscode from 'vscode';
import type { EventSource } from '../connection/liveEvents.js';
import { describeError } from '../connection/errorMessage.js';
import { LOG_PAGE_SIZE, LogFollower, type LogSource } from './logFollower.js';

/** How a line reads in an output channel: its time, then the platform's own lines marked. */
export function formatLogLine(line: LogLine): string {
  const time = line.time.slice(11, 23);
  const marker = line.stream === 'platform' ? '[platform] ' : line.stream === 'stderr' ? '[stderr] ' : '';
  return `${time} ${marker}${line.text}`;
}

export interface FollowedLogOptions {
  client: ApiClient;
  events: EventSource;
  source: LogSource;
  /** The channel's name for an instance (a job's node, a service's replica). */
  channelName: (instance: number) => string;
  /** The line written to every channel when the log ends. */
  endLine: string;
  /** Where a read error is written. */
  errorInstance: number;
}

/**
 * One followed log in output channels, one per instance, fed by one `LogFollower`: what the job and
 * service log channels each keep per job or service.
 */
export class FollowedLog implements vscode.Disposable {
  readonly follower: LogFollower;
  private readonly channels = new Map<number, vscode.OutputChannel>();

  constructor(private readonly options: FollowedLogOptions) {
    this.follower = new LogFollower({
      client: options.client,
      events: options.events,
      source: options.source,
      onLines: (lines) => {
        for (const line of lines) this.channel(line.instance).appendLine(formatLogLine(line));
      },
      onEnd: () => {
        for (const channel of this.channels.values()) channel.appendLine(options.endLine);
      },
      onError: (error) => this.channel(options.errorInstance).appendLine(describeError(error)),
    });
    this.channel(options.errorInstance);
  }

  /** An instance's channel, made on first use. */
  channel(instance: number): vscode.OutputChannel {
    let channel = this.channels.get(instance);
    if (!channel) {
      channel = vscode.window.createOutputChannel(this.options.channelName(instance), 'log');
      this.channels.set(instance, channel);
    }
    return channel;
  }

  dispose(): void {
    this.follower.dispose();
    for (const channel of this.channels.values()) channel.dispose();
    this.channels.clear();
  }
}

/**
 * A server-side search's matches in a channel of their own, each line led by its instance's name;
 * `read` asks the API with `search` (case-insensitive text the lines must contain).
 */
export async function showLogSearch(
  read: (query: { search: string; limit: number }) => Promise<JobLogsResponse>,
  text: string,
  channelName: string,
  instanceName: (instance: number) => string,
): Promise<{ channel: vscode.OutputChannel; matches: number }> {
  const page = await read({ search: text, limit: LOG_PAGE_SIZE });
  const channel = vscode.window.createOutputChannel(channelName, 'log');
  for (const line of page.lines) channel.appendLine(`${instanceName(line.instance)} ${formatLogLine(line)}`);
  if (page.more) channel.appendLine(vscode.l10n.t('(more matches: narrow the search)'));
  channel.show(true);
  return { channel, matches: page.lines.length };
}
