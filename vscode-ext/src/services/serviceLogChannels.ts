import type { ApiClient, Service } from '@aiplat/api';
import * as vscode from 'vscode';
import type { EventSource } from '../connection/liveEvents.js';
import { describeError } from '../connection/errorMessage.js';
import { formatLogLine } from '../logs/jobLogChannels.js';
import { SERVICE_LOG_PAGE_SIZE, ServiceLogFollower } from './serviceLogFollower.js';

interface FollowedService {
  name: string;
  /** The serving version when following started: the stream's lines are its replicas'. */
  version: number;
  follower: ServiceLogFollower;
  channels: Map<number, vscode.OutputChannel>;
}

/**
 * Service logs in output channels, one per replica (`AI Platform: gpt2 · v1 #0`): the serving
 * version's replicas followed live by one `ServiceLogFollower` per service while a channel of it is
 * open; an older version's replica is read once.
 */
export class ServiceLogChannels implements vscode.Disposable {
  private readonly followed = new Map<string, FollowedService>();
  private readonly others: vscode.OutputChannel[] = [];

  constructor(private readonly events: EventSource) {}

  /** Shows a replica's channel (following the service if needed). */
  async show(
    client: ApiClient,
    service: Service,
    replica: number,
    version = service.version,
  ): Promise<vscode.OutputChannel> {
    if (version !== service.version) return this.showOnce(client, service, version, replica);
    let followed = this.followed.get(service.name);
    if (followed && followed.version !== service.version) {
      // A new version serves: its replicas' logs are another stream.
      this.close(service.name);
      followed = undefined;
    }
    if (!followed) {
      const created: FollowedService = {
        name: service.name,
        version: service.version,
        channels: new Map(),
        follower: new ServiceLogFollower({
          client,
          events: this.events,
          name: service.name,
          onLines: (lines) => {
            for (const line of lines) this.channel(created, line.instance).appendLine(formatLogLine(line));
          },
          onEnd: () => {
            for (const channel of created.channels.values()) {
              channel.appendLine(vscode.l10n.t('— the service was deleted; end of the log —'));
            }
          },
          onError: (error) => this.channel(created, replica).appendLine(describeError(error)),
        }),
      };
      followed = created;
      this.followed.set(service.name, followed);
      this.channel(followed, replica);
      await followed.follower.start();
    }
    const channel = this.channel(followed, replica);
    channel.show(true);
    return channel;
  }

  /** The follower of a service, while followed (for tests). */
  follower(name: string): ServiceLogFollower | undefined {
    return this.followed.get(name)?.follower;
  }

  private async showOnce(
    client: ApiClient,
    service: Service,
    version: number,
    replica: number,
  ): Promise<vscode.OutputChannel> {
    const channel = vscode.window.createOutputChannel(channelName(service.name, version, replica), 'log');
    this.others.push(channel);
    const page = await client.serviceLogs({
      params: { name: service.name },
      query: { version, limit: SERVICE_LOG_PAGE_SIZE },
    });
    for (const line of page.lines) if (line.instance === replica) channel.appendLine(formatLogLine(line));
    if (page.more)
      channel.appendLine(vscode.l10n.t('(more lines: this version no longer serves, so it is not followed)'));
    channel.show(true);
    return channel;
  }

  private channel(followed: FollowedService, replica: number): vscode.OutputChannel {
    let channel = followed.channels.get(replica);
    if (!channel) {
      channel = vscode.window.createOutputChannel(channelName(followed.name, followed.version, replica), 'log');
      followed.channels.set(replica, channel);
    }
    return channel;
  }

  /** Stops following a service and closes its channels. */
  close(name: string): void {
    const followed = this.followed.get(name);
    if (!followed) return;
    followed.follower.dispose();
    for (const channel of followed.channels.values()) channel.dispose();
    this.followed.delete(name);
  }

  dispose(): void {
    for (const name of [...this.followed.keys()]) this.close(name);
    for (const channel of this.others.splice(0)) channel.dispose();
  }
}

function channelName(name: string, version: number, replica: number): string {
  return vscode.l10n.t('AI Platform: {0} · v{1} #{2}', name, version, replica);
}
