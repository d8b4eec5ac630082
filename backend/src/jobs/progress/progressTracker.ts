import type { JobProgress } from '@aiplat/api';
import { parseProgressLine } from './parseProgressLine.js';
import type { ProgressSignal } from './progressSignal.js';

/** A printed remaining time is used (counting down) for this long before the rate estimate takes over. */
const PRINTED_ETA_TTL_MS = 60_000;
/** Rate samples are at least this far apart. */
const RATE_MIN_INTERVAL_MS = 1000;
/** Weight of the newest sample in the smoothed rate. */
const RATE_EMA_ALPHA = 0.3;

interface Counter {
  step: number;
  total: number | undefined;
  /** `epoch`: restarts every epoch; `run`: counts the whole run; undefined: not known yet. */
  scope: 'epoch' | 'run' | undefined;
}

/**
 * Folds the log lines of one job into its latest `JobProgress`.
 *
 * Decisions:
 * - Instances: it follows one instance, the lowest index that has printed progress (rank 0 normally
 *   draws the bar; other ranks print the same counters or nothing). Lines of higher instances are
 *   skipped before parsing; if a lower instance starts printing progress, it takes over.
 * - Epochs are reported 1-based, as "the epoch under way": Keras' `Epoch 2/10` is epoch 2; Lightning's
 *   `Epoch 1:` / `Epoch 1/9` (0-based) is epoch 2; Transformers' `'epoch': 1.5` is epoch 2 with 1.5 epochs
 *   done. Formats that do not say (`epoch 2/10`, `[2/10][..]`, a tqdm description) are taken as 1-based
 *   unless the run prints epoch 0, after which they are 0-based. An epoch line means that epoch has begun:
 *   `Epoch 2/10` alone is 10 %.
 * - Percent: a counter that counts the whole run gives step/total; a per-epoch counter gives
 *   `(epoch - 1 + step/total) / totalEpochs`; epochs alone give `(epoch - 1) / totalEpochs`
 *   (Transformers: epochs done / `Num Epochs`). A counter with no epoch information counts the whole run
 *   until it restarts at the same total: then it is a per-epoch counter, and without epoch numbers
 *   and their total there is no percent. `step`/`totalSteps` are those of the counter (per epoch for
 *   per-epoch counters).
 * - Percent never decreases, including when a per-epoch counter restarts. The one exception is a change
 *   of counter before any epoch has been seen: a finished bar (a download, a preprocessing pass) followed
 *   by a bar with another total is a new source and starts over. While a counter is under way, a bar
 *   with a smaller total is a nested one (an evaluation pass) and is ignored; a larger one takes over.
 * - ETA: a printed remaining time first (tqdm's, Keras' `ETA:`, Lightning Rich's, MMEngine's and
 *   Detectron2's `eta:`), turned into the run's remaining time for per-epoch counters by adding the
 *   remaining epochs times the epoch duration (elapsed + remaining, or from the step rate); it counts
 *   down for up to a minute after it was printed. Otherwise an exponential moving average of the
 *   progress rate, sampled at least a second apart: no estimate until two samples exist.
 * - The end of training (`{'train_runtime': ...}`, `` `Trainer.fit` stopped ``) sets 100 % and freezes
 *   progress until `reset()`.
 */
export class ProgressTracker {
  private instance: number | undefined;
  private done = false;
  private zeroBasedEpochs = false;
  private totalEpochs: number | undefined;
  private epoch: number | undefined;
  private epochsDone: number | undefined;
  private epochStartedAt: number | undefined;
  private epochSeconds: number | undefined;
  private counter: Counter | undefined;
  private runTotalSteps: number | undefined;
  private floor = 0;
  private fraction: number | undefined;
  private printedEta: { seconds: number; at: number } | undefined;
  private rateSample: { at: number; fraction: number } | undefined;
  private rate: number | undefined;
  private etaSeconds: number | undefined;
  private updatedAt: string | undefined;

  /**
   * Feeds one log line printed at `time` by instance `instance`. Returns the progress after the line
   * when the line changed it, else undefined.
   */
  push(text: string, time: Date, instance = 0): JobProgress | undefined {
    if (this.done || (this.instance !== undefined && instance > this.instance)) return undefined;
    const signal = parseProgressLine(text);
    if (!signal) return undefined;
    // Another instance's counter is not a continuation of the one followed so far.
    if (this.instance !== undefined && instance !== this.instance) this.counter = undefined;
    this.instance = instance;
    return this.apply(signal, time);
  }

  /** Feeds an already parsed signal. */
  apply(signal: ProgressSignal, time: Date): JobProgress | undefined {
    if (this.done) return undefined;
    const at = time.getTime();
    if (signal.done) {
      this.done = true;
      if (signal.totalEpochs !== undefined) this.totalEpochs = signal.totalEpochs;
      this.fraction = 1;
      this.etaSeconds = 0;
      if (this.totalEpochs !== undefined) this.epoch = this.totalEpochs;
      if (this.counter?.total !== undefined && this.counter.scope === 'run') this.counter.step = this.counter.total;
      this.updatedAt = time.toISOString();
      return this.progress();
    }

    if (signal.step !== undefined && !this.takesCounter(signal)) return undefined;
    const epochChanged = this.applyEpochs(signal, at);
    if (signal.step !== undefined) {
      this.applyCounter(signal, epochChanged);
    } else if (signal.totalSteps !== undefined) {
      this.runTotalSteps = signal.totalSteps;
      if (this.counter?.total === signal.totalSteps) this.counter.scope = 'run';
    }

    this.updateFraction(at);
    this.updateEta(signal, at);
    this.updatedAt = time.toISOString();
    return this.progress();
  }

  /** The latest progress, or undefined before any progress was seen. */
  progress(): JobProgress | undefined {
    if (this.updatedAt === undefined) return undefined;
    const p: JobProgress = {};
    if (this.fraction !== undefined) p.percent = Math.round(this.fraction * 1000) / 10;
    if (this.counter) {
      p.step = Math.round(this.counter.step);
      if (this.counter.total !== undefined) p.totalSteps = Math.round(this.counter.total);
    } else if (this.runTotalSteps !== undefined) {
      p.totalSteps = this.runTotalSteps;
    }
    if (this.epoch !== undefined) p.epoch = this.epoch;
    if (this.totalEpochs !== undefined) p.totalEpochs = this.totalEpochs;
    if (this.etaSeconds !== undefined) p.etaSeconds = Math.round(this.etaSeconds);
    p.updatedAt = this.updatedAt;
    return p;
  }

  /** Forgets everything (the job restarted). */
  reset(): void {
    this.instance = undefined;
    this.done = false;
    this.zeroBasedEpochs = false;
    this.totalEpochs = undefined;
    this.epoch = undefined;
    this.epochsDone = undefined;
    this.epochStartedAt = undefined;
    this.epochSeconds = undefined;
    this.counter = undefined;
    this.runTotalSteps = undefined;
    this.resetSource();
    this.updatedAt = undefined;
  }

  private resetSource(): void {
    this.floor = 0;
    this.fraction = undefined;
    this.printedEta = undefined;
    this.rateSample = undefined;
    this.rate = undefined;
    this.etaSeconds = undefined;
  }

  /** Returns whether the epoch under way changed. */
  private applyEpochs(signal: ProgressSignal, at: number): boolean {
    if (signal.totalEpochs !== undefined && signal.totalEpochs > 0) this.totalEpochs = signal.totalEpochs;
    let epoch: number | undefined;
    if (signal.epochsDone !== undefined) {
      this.epochsDone = signal.epochsDone;
      epoch = Math.floor(signal.epochsDone) + 1;
      if (this.totalEpochs !== undefined) epoch = Math.min(epoch, this.totalEpochs);
    } else if (signal.epoch !== undefined) {
      if (signal.epochBase === undefined && signal.epoch === 0) this.zeroBasedEpochs = true;
      const base = signal.epochBase ?? (this.zeroBasedEpochs ? 0 : 1);
      epoch = signal.epoch + 1 - base;
      this.epochsDone = undefined;
    }
    if (epoch === undefined || epoch === this.epoch) return false;
    if (this.epoch !== undefined && epoch === this.epoch + 1 && this.epochStartedAt !== undefined) {
      this.epochSeconds = (at - this.epochStartedAt) / 1000;
    }
    const changed = this.epoch !== undefined;
    this.epoch = epoch;
    this.epochStartedAt = at;
    const c = this.counter;
    if (changed && c && signal.step === undefined && c.scope !== 'run') {
      // A new epoch restarts a per-epoch counter; a finished counter of unknown scope was per-epoch.
      if (c.scope === 'epoch' || (c.total !== undefined && c.step >= c.total)) {
        c.scope = 'epoch';
        c.step = 0;
      }
    }
    return changed;
  }

  /**
   * Whether the signal's counter is the job's counter. While a counter runs, a bar with a smaller total
   * is a nested one (an evaluation pass) and a larger one takes over. Once it finished, a smaller one is
   * a new source, unless epochs tie the finished counter to training (Transformers' final evaluation).
   */
  private takesCounter(signal: ProgressSignal): boolean {
    const c = this.counter;
    const total = signal.totalSteps;
    if (!c || c.total === total) return true;
    if (total === undefined) return c.total === undefined;
    if (c.total === undefined || total > c.total) return true;
    const epochsSeen = this.epoch !== undefined || this.epochsDone !== undefined;
    return c.step >= c.total && !epochsSeen;
  }

  private applyCounter(signal: ProgressSignal, epochChanged: boolean): void {
    const step = signal.step ?? 0;
    const total = signal.totalSteps;
    const c = this.counter;
    const scopeOf = (known: Counter['scope']): Counter['scope'] =>
      signal.stepScope ?? (total !== undefined && total === this.runTotalSteps ? 'run' : known);
    if (!c) {
      this.counter = { step, total, scope: scopeOf(undefined) };
    } else if (c.total === total) {
      let scope = scopeOf(c.scope);
      if (scope === undefined && step < c.step) scope = 'epoch';
      if (scope === undefined && epochChanged && step > c.step) scope = 'run';
      this.counter = { step, total, scope };
    } else {
      this.switchCounter({ step, total, scope: scopeOf(undefined) });
    }
  }

  private switchCounter(counter: Counter): void {
    const previous = this.counter;
    const finished = previous?.total !== undefined && previous.step >= previous.total;
    const epochsSeen = this.epoch !== undefined || this.epochsDone !== undefined;
    this.counter = counter;
    // After a finished bar with no epochs around it (a download, a preprocessing pass), a new source.
    if (finished && !epochsSeen) this.resetSource();
  }

  /** Is the counter per epoch (so that epochs must be combined with it)? */
  private perEpoch(c: Counter): boolean {
    if (c.scope !== undefined) return c.scope === 'epoch';
    // Transformers' fractional epochs come with its global bar; printed epoch numbers with per-epoch loops.
    return this.epoch !== undefined && this.epochsDone === undefined;
  }

  private computeFraction(): number | undefined {
    const c = this.counter;
    if (c && c.total !== undefined && c.total > 0) {
      const within = Math.min(1, c.step / c.total);
      if (!this.perEpoch(c)) return within;
      if (this.epoch !== undefined && this.totalEpochs !== undefined) {
        return clamp01((this.epoch - 1 + within) / this.totalEpochs);
      }
      return undefined;
    }
    if (this.totalEpochs !== undefined) {
      if (this.epochsDone !== undefined) return clamp01(this.epochsDone / this.totalEpochs);
      if (this.epoch !== undefined) return clamp01((this.epoch - 1) / this.totalEpochs);
    }
    return undefined;
  }

  private updateFraction(at: number): void {
    const f = this.computeFraction();
    if (f === undefined) {
      this.fraction = undefined;
      return;
    }
    this.floor = Math.max(this.floor, f);
    this.fraction = this.floor;
    const sample = this.rateSample;
    if (!sample) {
      this.rateSample = { at, fraction: this.fraction };
    } else if (at - sample.at >= RATE_MIN_INTERVAL_MS) {
      const r = (this.fraction - sample.fraction) / ((at - sample.at) / 1000);
      this.rate = this.rate === undefined ? r : RATE_EMA_ALPHA * r + (1 - RATE_EMA_ALPHA) * this.rate;
      this.rateSample = { at, fraction: this.fraction };
    }
  }

  private updateEta(signal: ProgressSignal, at: number): void {
    if (signal.etaSeconds !== undefined) {
      const run = this.runEta(signal);
      this.printedEta = run === undefined ? undefined : { seconds: run, at };
    }
    if (this.fraction === 1) {
      this.etaSeconds = 0;
    } else if (this.printedEta && at - this.printedEta.at <= PRINTED_ETA_TTL_MS) {
      this.etaSeconds = Math.max(0, this.printedEta.seconds - (at - this.printedEta.at) / 1000);
    } else if (this.fraction !== undefined && this.rate !== undefined && this.rate > 0) {
      this.etaSeconds = (1 - this.fraction) / this.rate;
    } else {
      this.etaSeconds = undefined;
    }
  }

  /** The run's remaining time from a printed one. */
  private runEta(signal: ProgressSignal): number | undefined {
    const eta = signal.etaSeconds ?? 0;
    const c = this.counter;
    if (signal.etaScope === 'run') return eta;
    if (!c || c.total === undefined || !this.perEpoch(c)) return eta;
    // Per-epoch: this epoch's remaining time plus the epochs still to come.
    if (signal.elapsedSeconds !== undefined && c.step > 0) this.epochSeconds = signal.elapsedSeconds + eta;
    else if (c.step > 0 && c.step < c.total) this.epochSeconds = (eta * c.total) / (c.total - c.step);
    if (this.epoch === undefined || this.totalEpochs === undefined) return undefined;
    const epochsLeft = Math.max(0, this.totalEpochs - this.epoch);
    if (epochsLeft === 0) return eta;
    return this.epochSeconds === undefined ? undefined : eta + epochsLeft * this.epochSeconds;
  }
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}
