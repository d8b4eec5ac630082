/**
 * Training progress and ETA read from a job's log lines.
 *
 * Pure: no I/O, no clock. `parseProgressLine` turns one log line into a `ProgressSignal` (or nothing)
 * with one parser per framework (tqdm, Transformers, Lightning, Keras, MMEngine, plain text; see the
 * tests beside each for real-looking lines), `ProgressTracker` folds the signals of a job's lines into
 * the contract's `JobProgress`; `ProgressHistory` keeps it after each line, to tell it as of a log cursor.
 */
export { MAX_EXAMINED_CHARS, mayBeProgress, parseProgressLine } from './parseProgressLine.js';
export type { ProgressFormat, ProgressSignal } from './progressSignal.js';
export { ProgressHistory } from './progressHistory.js';
export { ProgressTracker } from './progressTracker.js';
