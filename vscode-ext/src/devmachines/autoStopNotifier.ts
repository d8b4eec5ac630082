import * as vscode from 'vscode';
import { CommandIds } from '../commands/commandIds.js';
import { clockTime, dueAutoStopNotices } from '@aiplat/api';
import type { DevMachinesModel } from './devMachinesModel.js';

/** How often the notifier looks at the clock besides each change of the machines. */
const CHECK_EVERY_MS = 30 * 1000;

export interface AutoStopNotifierOptions {
  /** The clock, ms since the epoch (tests inject one). */
  now?: () => number;
  /** Whether to look on a timer too (tests call `check` themselves). */
  timer?: boolean;
}

/**
 * Warns, 10 minutes before, that one of the user's dev machines stops by itself, offering to
 * snooze it by an hour; once for each `autoStopAt`. Looks on every change of the machines (the
 * `devmachines` topic) and on a timer.
 */
export class AutoStopNotifier implements vscode.Disposable {
  private readonly notified = new Set<string>();
  private readonly watch: vscode.Disposable;
  private readonly interval: ReturnType<typeof setInterval> | undefined;
  private readonly now: () => number;

  constructor(
    private readonly model: DevMachinesModel,
    options: AutoStopNotifierOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.watch = model.onDidChange(() => this.check());
    this.interval = options.timer === false ? undefined : setInterval(() => this.check(), CHECK_EVERY_MS);
    // The timer alone keeps nothing alive (tests, a window closing).
    this.interval?.unref?.();
  }

  /** Shows the notices due now; returns how many. */
  check(): number {
    const notices = dueAutoStopNotices(this.model.items, this.now(), this.notified);
    for (const { machine, key, stopsAt } of notices) {
      this.notified.add(key);
      const snooze = vscode.l10n.t('Snooze 1 h');
      void Promise.resolve(
        vscode.window.showWarningMessage(
          vscode.l10n.t('{0} stops by itself at {1}', machine.spec.name, clockTime(stopsAt)),
          snooze,
        ),
      ).then((answer) => {
        if (answer === snooze) void vscode.commands.executeCommand(CommandIds.snoozeDevMachineAutoStop, machine.id);
      });
    }
    return notices.length;
  }

  dispose(): void {
    this.watch.dispose();
    if (this.interval !== undefined) clearInterval(this.interval);
  }
}
