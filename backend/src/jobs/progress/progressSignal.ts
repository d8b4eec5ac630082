export type ProgressFormat = 'tqdm' | 'keras' | 'lightning' | 'transformers' | 'mmengine' | 'text';

/** What one log line says about progress. Counts are as printed; the tracker interprets them. */
export interface ProgressSignal {
  format: ProgressFormat;
  /** Completed steps (batches, iterations) of the counter on the line. */
  step?: number;
  /** The counter's total; alone (no `step`) it announces the run's total steps. */
  totalSteps?: number;
  /** `epoch`: the counter restarts every epoch; `run`: it counts the whole run; absent: not known. */
  stepScope?: 'epoch' | 'run';
  /** The epoch under way, as printed. */
  epoch?: number;
  /** Whether the format counts epochs from 0 or 1; absent when the format does not say. */
  epochBase?: 0 | 1;
  /** Number of epochs in the run (already corrected for formats that print the last index). */
  totalEpochs?: number;
  /** Epochs completed, fractional (Transformers' `'epoch': 1.5`). */
  epochsDone?: number;
  /** Remaining time as printed. */
  etaSeconds?: number;
  /** What the printed remaining time covers: the counter on the line, or the whole run. */
  etaScope?: 'counter' | 'run';
  /** Time spent on the counter so far, as printed (tqdm's elapsed, Keras' end-of-epoch time). */
  elapsedSeconds?: number;
  /** Training has finished. */
  done?: boolean;
}

/**
 * A parser returns a signal, `null` for "this is that format but not training progress" (which ends the
 * search: a `Validation epoch 2/10: 45%|...` bar is not read as plain text either), or undefined.
 */
export type Parsed = ProgressSignal | null | undefined;
export type PieceParser = (piece: string, cut: boolean) => Parsed;
