import { Notification } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { IDisposable } from '@lumino/disposable';
import { AutoStopNoticeModel, clockTime, type AutoStopNotice } from './model/autoStopNotices.js';
import type { DevMachineListModel } from './model/devMachineListModel.js';

/**
 * Tells the user, in a JupyterLab notification, 10 minutes before one of their dev machines stops
 * by itself, with a "Snooze 1 h" action: checked on every change of the list (the `devmachines`
 * topic) and on a timer; once per machine and auto-stop time; taken back when it no longer holds.
 */
export class AutoStopNotifier implements IDisposable {
  private readonly _notices: AutoStopNoticeModel;
  /** The notification of each notice shown, by its key. */
  private readonly _notifications = new Map<string, string>();
  private _timer: ReturnType<typeof setTimeout> | undefined;
  private _disposed = false;

  constructor(
    private readonly _list: DevMachineListModel,
    private readonly _trans: TranslationBundle,
    now: () => number = Date.now,
  ) {
    this._notices = new AutoStopNoticeModel(now);
    _list.changed.connect(this._check, this);
    this._check();
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    clearTimeout(this._timer);
    this._list.changed.disconnect(this._check, this);
  }

  private _check(): void {
    if (this._disposed) return;
    const machines = this._list.machines;
    const { show, withdraw } = this._notices.check(machines);
    for (const key of withdraw) {
      const id = this._notifications.get(key);
      this._notifications.delete(key);
      if (id) Notification.dismiss(id);
    }
    for (const notice of show) this._show(notice);
    clearTimeout(this._timer);
    this._timer = setTimeout(() => this._check(), this._notices.nextCheckIn(machines));
  }

  private _show(notice: AutoStopNotice): void {
    const trans = this._trans;
    const id = Notification.warning(
      trans.__('%1 stops by itself at %2', notice.machine.spec.name, clockTime(notice.stopsAt)),
      {
        autoClose: false,
        actions: [
          {
            label: trans.__('Snooze 1 h'),
            caption: trans.__('Put its auto-stop off by one hour'),
            displayType: 'accent',
            callback: () => {
              this._notices.closed(notice.key);
              this._notifications.delete(notice.key);
              void this._list.snooze(notice.machine.id).then(() => {
                const error = this._list.actionError(notice.machine.id);
                if (error) Notification.error(error, { autoClose: 8000 });
              });
            },
          },
        ],
      },
    );
    this._notifications.set(notice.key, id);
  }
}
