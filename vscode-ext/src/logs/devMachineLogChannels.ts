import type { ApiClient, DevMachine } from '@aiplat/api';
import * as vscode from 'vscode';
import type { EventSource } from '../connection/liveEvents.js';
import { FollowedLog } from './followedLog.js';
import { devMachineLogSource, type LogFollower } from './logFollower.js';

/**
 * Dev machines' lifecycle script output in output channels (`AI Platform: my-box · lifecycle scripts`),
 * each followed live on `devmachine-logs/<id>` by one `LogFollower` while its channel is open.
 */
export class DevMachineLogChannels implements vscode.Disposable {
  private readonly followed = new Map<string, FollowedLog>();

  constructor(private readonly events: EventSource) {}

  /** Shows a dev machine's channel (following its log if needed). */
  async show(client: ApiClient, machine: DevMachine): Promise<vscode.OutputChannel> {
    let followed = this.followed.get(machine.id);
    if (followed?.follower.ended) {
      this.close(machine.id);
      followed = undefined;
    }
    if (!followed) {
      followed = new FollowedLog({
        client,
        events: this.events,
        source: devMachineLogSource(machine.id),
        // One channel: a dev machine's scripts run in its one instance.
        channelName: () => vscode.l10n.t('AI Platform: {0} · lifecycle scripts', machine.spec.name),
        endLine: vscode.l10n.t('— end of the lifecycle scripts log —'),
        errorInstance: 0,
      });
      this.followed.set(machine.id, followed);
      await followed.follower.start();
    }
    const channel = followed.channel(0);
    channel.show(true);
    return channel;
  }

  /** The follower of a dev machine, while followed (for tests). */
  follower(id: string): LogFollower | undefined {
    return this.followed.get(id)?.follower;
  }

  /** Stops following a dev machine and closes its channel. */
  close(id: string): void {
    this.followed.get(id)?.dispose();
    this.followed.delete(id);
  }

  dispose(): void {
    for (const id of [...this.followed.keys()]) this.close(id);
  }
}
