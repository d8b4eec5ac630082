import type { ApiClient, Service } from '@aiplat/api';
import * as vscode from 'vscode';
import type { EventSource } from '../connection/liveEvents.js';
import { FollowedLog, formatLogLine, showLogSearch } from '../logs/followedLog.js';
import { LOG_PAGE_SIZE, serviceLogSource, type LogFollower } from '../logs/logFollower.js';

interface FollowedService {
  /** The serving version when following started: the stream's lines are its replicas'. */
  version: number;
  log: FollowedLog;
}

/** Whose lines a search reads: a version (the serving one when absent) and maybe one replica. */
export interface ServiceLogScope {
  version?: number;
  replica?: number;
}

/**
 * Service logs in output channels, one per replica (`AI Platform: gpt2 · v1 #0`): the serving
 * version's replicas followed live by one `LogFollower` per service while a channel of it is
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
      followed = {
        version: service.version,
        log: new FollowedLog({
          client,
          events: this.events,
          source: serviceLogSource(service.name),
          channelName: (index) => channelName(service.name, service.version, index),
          endLine: vscode.l10n.t('— the service was deleted; end of the log —'),
          errorInstance: replica,
        }),
      };
      this.followed.set(service.name, followed);
      await followed.log.follower.start();
    }
    const channel = followed.log.channel(replica);
    channel.show(true);
    return channel;
  }

  /** The follower of a service, while followed (for tests). */
  follower(name: string): LogFollower | undefined {
    return this.followed.get(name)?.log.follower;
  }

  /**
   * Runs a server-side search over a service's logs (a version's replicas, or one replica) and shows
   * the matches in their own channel, each led by its replica.
   */
  async search(
    client: ApiClient,
    service: Service,
    text: string,
    scope: ServiceLogScope = {},
  ): Promise<{ channel: vscode.OutputChannel; matches: number }> {
    const version = scope.version ?? service.version;
    const found = await showLogSearch(
      (query) =>
        client.serviceLogs({
          params: { name: service.name },
          query: { ...query, version, ...(scope.replica === undefined ? {} : { instance: scope.replica }) },
        }),
      text,
      scope.replica === undefined
        ? vscode.l10n.t('AI Platform: "{0}" in {1} · v{2}', text, service.name, version)
        : vscode.l10n.t('AI Platform: "{0}" in {1} · v{2} #{3}', text, service.name, version, scope.replica),
      (index) => `#${index}`,
    );
    this.others.push(found.channel);
    return found;
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
      query: { version, limit: LOG_PAGE_SIZE },
    });
    for (const line of page.lines) if (line.instance === replica) channel.appendLine(formatLogLine(line));
    if (page.more)
      channel.appendLine(vscode.l10n.t('(more lines: this version no longer serves, so it is not followed)'));
    channel.show(true);
    return channel;
  }

  /** Stops following a service and closes its channels. */
  close(name: string): void {
    this.followed.get(name)?.log.dispose();
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
