import { keepsMachineUp, type DevMachineIdle, type IdleSignal, type IdleSignalName } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import { ChangingModel } from '../../model/changingModel.js';
import { errorMessage } from '../../model/liveListModel.js';
import type { IConnectionModel } from '../../tokens.js';
import { clockTime } from './autoStopNotices.js';

/** What "why not idle" says of a machine as a whole. */
export type IdleVerdict =
  | { kind: 'no-policy' }
  | { kind: 'idle'; idleSince?: string; stopsAt?: string }
  | { kind: 'not-idle'; keptUpBy: IdleSignalName[] };

/** One line of the signals table. */
export interface IdleRow {
  name: IdleSignalName;
  value: string;
  counts: boolean;
  idle: boolean;
  /** Counts and is not idle: it keeps the machine up. */
  keepsUp: boolean;
}

/** The table's rows, in the answer's order. */
export function idleRows(report: DevMachineIdle): IdleRow[] {
  return report.signals.map((signal: IdleSignal) => ({
    name: signal.name,
    value: signal.value,
    counts: signal.counts,
    idle: signal.idle,
    keepsUp: keepsMachineUp(signal),
  }));
}

export function idleVerdict(report: DevMachineIdle): IdleVerdict {
  if (!report.policy) return { kind: 'no-policy' };
  if (report.idle) {
    return {
      kind: 'idle',
      ...(report.idleSince ? { idleSince: report.idleSince } : {}),
      ...(report.stopsAt ? { stopsAt: report.stopsAt } : {}),
    };
  }
  return {
    kind: 'not-idle',
    keptUpBy: idleRows(report)
      .filter((r) => r.keepsUp)
      .map((r) => r.name),
  };
}

/** A signal's name as people read it. */
export function idleSignalLabel(name: IdleSignalName, trans: TranslationBundle): string {
  const labels: Record<IdleSignalName, string> = {
    cpu: trans.__('CPU'),
    memory: trans.__('Memory'),
    accelerator: trans.__('Accelerator'),
    kernels: trans.__('Kernels'),
    terminals: trans.__('Terminals'),
    'code-server': trans.__('VS Code (code-server)'),
    jobs: trans.__('Jobs'),
  };
  return labels[name];
}

/** A signal's name inside a sentence ("kept up by terminals, jobs"). */
function idleSignalNoun(name: IdleSignalName, trans: TranslationBundle): string {
  const nouns: Record<IdleSignalName, string> = {
    cpu: trans.__('CPU'),
    memory: trans.__('memory'),
    accelerator: trans.__('accelerator'),
    kernels: trans.__('kernels'),
    terminals: trans.__('terminals'),
    'code-server': 'code-server',
    jobs: trans.__('jobs'),
  };
  return nouns[name];
}

/** The verdict line: idle since when and stops when, what keeps it up, or that it has no policy. */
export function idleVerdictText(verdict: IdleVerdict, trans: TranslationBundle): string {
  switch (verdict.kind) {
    case 'no-policy':
      return trans.__('No idle policy: values shown for information');
    case 'idle': {
      const { idleSince, stopsAt } = verdict;
      if (idleSince && stopsAt) {
        return trans.__('Idle since %1, stops at %2', clockTime(idleSince), clockTime(stopsAt));
      }
      if (idleSince) return trans.__('Idle since %1', clockTime(idleSince));
      return trans.__('Idle');
    }
    case 'not-idle': {
      if (verdict.keptUpBy.length === 0) return trans.__('Not idle');
      const names = verdict.keptUpBy.map((name) => idleSignalNoun(name, trans));
      return trans.__('Not idle: kept up by %1', names.join(trans.__(', ')));
    }
  }
}

/**
 * "Why not idle?" of a running dev machine: each signal of its idle policy, read afresh on
 * `refresh` (the server asks the machine's JupyterLab, which takes a moment).
 */
export class DevMachineIdleModel extends ChangingModel {
  private _report: DevMachineIdle | undefined;
  private _error: string | undefined;
  private _loading = false;
  private _asked = 0;

  constructor(
    private readonly _connection: IConnectionModel,
    readonly id: string,
  ) {
    super();
  }

  get report(): DevMachineIdle | undefined {
    return this._report;
  }

  get rows(): IdleRow[] {
    return this._report ? idleRows(this._report) : [];
  }

  get verdict(): IdleVerdict | undefined {
    return this._report ? idleVerdict(this._report) : undefined;
  }

  get error(): string | undefined {
    return this._error;
  }

  get loading(): boolean {
    return this._loading;
  }

  /** Reads the signals again; the last answer is kept on screen until the new one comes. */
  async refresh(): Promise<void> {
    const client = this._connection.client;
    if (this.isDisposed) return;
    if (!client) {
      this._error = 'not connected to the AI Platform server';
      this.emit();
      return;
    }
    const asked = ++this._asked;
    this._loading = true;
    this.emit();
    try {
      const report = await client.devMachineIdle({ params: { id: this.id } });
      if (this.isDisposed || asked !== this._asked) return;
      this._report = report;
      this._error = undefined;
    } catch (e) {
      if (this.isDisposed || asked !== this._asked) return;
      this._error = errorMessage(e);
    }
    this._loading = false;
    this.emit();
  }
}
