import type { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import type { ISignal } from '@lumino/signaling';

/** What the status bar shows: a count that changes. */
export interface RunningCount {
  readonly count: number;
  readonly changed: ISignal<unknown, unknown>;
}

/** "2 jobs running" in the status bar; a click opens the sidebar. */
export class RunningJobsItem extends ReactWidget {
  constructor(
    private readonly running: RunningCount,
    private readonly trans: TranslationBundle,
    private readonly onClick: () => void,
  ) {
    super();
    this.addClass('aiplat-status-item');
  }

  protected render(): JSX.Element {
    return (
      <UseSignal signal={this.running.changed}>
        {() => (
          <span
            data-testid="aiplat-status-running"
            title={this.trans.__('AI Platform training jobs running now')}
            onClick={this.onClick}
          >
            {this.trans.__('Jobs running: %1', this.running.count)}
          </span>
        )}
      </UseSignal>
    );
  }
}
