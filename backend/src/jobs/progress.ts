/**
 * Training progress and ETA read from a job's log lines.
 *
 * Pure: no I/O, no clock. `parseProgressLine` turns one log line into a `ProgressSignal` (or nothing),
 * `ProgressTracker` folds the signals of a job's lines into the contract's `JobProgress`.
 *
 * It runs on every log line, so `parseProgressLine` looks at the last `MAX_EXAMINED_CHARS` characters
 * only, rejects most lines with two cheap tests before any format regex, and every regex is linear
 * (bounded repetitions, no nested or adjacent ambiguous quantifiers).
 *
 * Formats recognised (see the tests for real-looking lines of each):
 * - tqdm bars, with or without a description, `it/s` or `s/it` or `?it/s`, unknown totals (`450it [...]`),
 *   and the `\r`-separated redraws tqdm writes into a pipe (the last complete redraw wins). Bars that are
 *   not training are skipped: descriptions such as `Validation`, `eval`, `Loading checkpoint shards`,
 *   `Map`, `Downloading`, and units other than iterations (`B/s`, `examples/s`).
 * - Hugging Face Transformers: the Trainer's tqdm bar, its log dicts (`{'loss': ..., 'epoch': 1.5}`), the
 *   `Num Epochs = 3` / `Total optimization steps = 1,000` header and the final `{'train_runtime': ...}`.
 * - PyTorch Lightning: the tqdm bar `Epoch 3: 45%|...` (0-based epochs), the Rich bar
 *   `Epoch 3/9 ━━━ 450/1000 0:00:12 • 0:00:15 36.50it/s` (0-based, `/9` is the last index) and
 *   `` `Trainer.fit` stopped: `max_epochs=10` reached. `` (A bare `Epoch 3/9` line is read as Keras', 1-based;
 *   Lightning's 0-based `Epoch 3/9` is recognised with its Rich bar.)
 * - Keras 2 and 3: `Epoch 2/10`, `120/469 [====>....] - ETA: 10s - loss: 0.3`,
 *   `120/469 ━━━━━━━━━━ 10s 22ms/step - loss: 0.3`, and the end-of-epoch lines.
 * - MMEngine / MMCV `Epoch(train) [1][ 50/391] ... eta: 0:12:34` and `Iter(train) [ 50/90000]`, Detectron2
 *   `eta: 0:12:34  iter: 199`, the PyTorch examples' `Train Epoch: 1 [640/60000 (1%)]`, DCGAN's
 *   `[0/5][50/1583]`.
 * - Plain text: `epoch 2/10`, `Epoch [2/10]`, `Epoch 2 of 10`, `step 150/1000`, `Step: 150 / 1000`,
 *   `iter 30/100`, `batch 3/50`, `epoch=2 step=150`, `"epoch": 2`, a leading `[2/10]` followed by metrics
 *   or nothing, and `第 2/10 轮`.
 *
 * Conservative: a counter needs a keyword right before it (`loaded 3/4 shards`, `rank 0/2`, dates and
 * `GPU 1/8` are not progress), `n <= total`, and the known look-alikes are excluded (docker's
 * `Step 1/5 : FROM`, ninja's `[3/12] /usr/bin/c++ ...`, yarn's `[1/4] Resolving packages...`).
 */
import type { JobProgress } from '@aiplat/api';

/** How much of a line is examined: its last characters (a tqdm redraw or a log dict fits easily). */
export const MAX_EXAMINED_CHARS = 512;

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

// ---- parsing -----------------------------------------------------------------------------------

const HAS_DIGIT = /\d/;
const HAS_HINT = /[/%]|epoch|step|eta|轮/i;
// eslint-disable-next-line no-control-regex -- ANSI escape sequences are what it removes
const ANSI = /\x1b\[[0-9;?]{0,32}[ -/]{0,4}[@-~]/g;

/**
 * A cheap test that a line may say something about progress; true for every line
 * `parseProgressLine` reads. Also holds on the line's JSON-escaped form, which only adds characters.
 */
export function mayBeProgress(text: string): boolean {
  const window = text.length > 4 * MAX_EXAMINED_CHARS ? text.slice(-4 * MAX_EXAMINED_CHARS) : text;
  return HAS_DIGIT.test(window) && HAS_HINT.test(window);
}

/** One log line (possibly many `\r`-separated redraws) → what it says about progress, if anything. */
export function parseProgressLine(text: string): ProgressSignal | undefined {
  const cutAt = text.length > MAX_EXAMINED_CHARS ? text.length - MAX_EXAMINED_CHARS : 0;
  const window = cutAt > 0 ? text.slice(cutAt) : text;
  if (!HAS_DIGIT.test(window) || !HAS_HINT.test(window)) return undefined;
  // The last redraw is the newest; if it does not parse (say, cut short), fall back to the one before.
  let end = window.length;
  for (let tried = 0; tried < 3 && end > 0;) {
    const start = window.lastIndexOf('\r', end - 1) + 1;
    const raw = window.slice(start, end);
    end = start - 1;
    if (raw.trim() === '') continue;
    tried++;
    const signal = parsePiece(clean(raw), start === 0 && cutAt > 0);
    if (signal) return signal;
  }
  return undefined;
}

function clean(piece: string): string {
  let s = piece;
  if (s.includes('\x1b')) s = s.replace(ANSI, '');
  if (s.includes('\b')) s = s.replaceAll('\b', '');
  return s;
}

/**
 * A parser returns a signal, `null` for "this is that format but not training progress" (which ends the
 * search: a `Validation epoch 2/10: 45%|...` bar is not read as plain text either), or undefined.
 */
type Parsed = ProgressSignal | null | undefined;
type PieceParser = (piece: string, cut: boolean) => Parsed;

/** `cut`: the piece's beginning lies before the examined window, so formats anchored at it are off. */
function parsePiece(piece: string, cut: boolean): ProgressSignal | undefined {
  for (const parse of PARSERS) {
    const parsed = parse(piece, cut);
    if (parsed !== undefined) return parsed ?? undefined;
  }
  return undefined;
}

// Numbers and times as the formats print them.

const SI: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15 };

/** `450`, `4.50k` (tqdm's unit_scale) → a count. */
function scaled(s: string): number {
  const last = s[s.length - 1] ?? '';
  const factor = SI[last];
  return factor === undefined ? Number(s) : Math.round(Number(s.slice(0, -1)) * factor);
}

/** `12`, `00:12`, `1:02:03`, `1 day, 2:03:04` (Python timedelta) → seconds; `?`, `-:--:--` → undefined. */
function clock(s: string): number | undefined {
  let days = 0;
  let rest = s;
  const comma = s.indexOf(', ');
  if (comma >= 0) {
    days = Number(s.slice(0, s.indexOf(' ')));
    rest = s.slice(comma + 2);
  }
  const parts = rest.split(':').map(Number);
  if (parts.length === 0 || parts.some((n) => !Number.isFinite(n))) return undefined;
  return parts.reduce((acc, n) => acc * 60 + n, 0) + days * 86400;
}

/** Keras' ETA: `10s`, `1:02`, `1:02:03`. */
function kerasClock(s: string): number | undefined {
  return s.endsWith('s') ? Number(s.slice(0, -1)) : clock(s);
}

/** Units that count training iterations; anything else (bytes, examples, tokens) is not progress. */
const ITERATION_UNITS = new Set([
  'it',
  'its',
  'batch',
  'batches',
  'step',
  'steps',
  'iter',
  'iters',
  'iteration',
  'iterations',
  'epoch',
  'epochs',
]);

/** Bars and lines about something other than training: evaluation, set-up, downloads. */
const NOT_TRAINING =
  /\b(?:val\w*|eval\w*|test\w*|sanity|predict\w*|infer\w*|load\w*|download\w*|upload\w*|map|mapping|token\w*|shards?|extract\w*|generat\w*|fetch\w*|resolv\w*|filter\w*|sav\w*|export\w*|convert\w*|cach\w*|prepar\w*|preprocess\w*)\b/i;

const EPOCH_IN_TEXT =
  /(?<![\w.])epoch\s{0,4}(?:[:=#]\s{0,4})?(?:[[(]\s{0,4})?(\d{1,6})(?:\s{0,4}(?:\/|of\b)\s{0,4}(\d{1,6}))?(?![\d.])/i;

function epochFromDescription(desc: string): Pick<ProgressSignal, 'epoch' | 'totalEpochs'> | undefined {
  const m = EPOCH_IN_TEXT.exec(desc);
  if (!m) return undefined;
  const epoch = Number(m[1]);
  const total = m[2] === undefined ? undefined : Number(m[2]);
  if (total !== undefined && (total === 0 || epoch > total)) return undefined;
  return total === undefined ? { epoch } : { epoch, totalEpochs: total };
}

// tqdm: `{desc}: {pct}%|{bar}| {n}/{total} [{elapsed}<{remaining}, {rate}{postfix}]`

const NUM = String.raw`\d{1,12}(?:\.\d{1,6})?[kMGTP]?`;
const TQDM_TIME = String.raw`\d{1,6}(?::\d{2}){1,2}`;
const TQDM_RATE = String.raw`(\?|${NUM}) ?([A-Za-z]{1,16})\/([A-Za-z]{1,16})(?=[,\]])`;
const TQDM_RIGHT = new RegExp(
  String.raw` ?(${NUM})\/(${NUM}) \[(${TQDM_TIME}|\?)<(${TQDM_TIME}|\?), {0,8}${TQDM_RATE}(,[^\]]{0,400})?`,
  'y',
);
const TQDM_UNKNOWN_TOTAL = new RegExp(String.raw`(${NUM}) ?([A-Za-z]{1,16}) \[(${TQDM_TIME}), {0,8}${TQDM_RATE}`);

/** The unit of a tqdm rate: `it/s` → it, `s/it` → it. */
function rateUnit(a: string, b: string): string {
  return b === 's' ? a : a === 's' ? b : '';
}

function parseTqdm(piece: string, cut: boolean): Parsed {
  const pct = piece.indexOf('%|');
  if (pct < 1) return undefined;
  let digits = pct;
  while (digits > 0 && pct - digits < 3 && isDigit(piece.charCodeAt(digits - 1))) digits--;
  if (digits === pct) return undefined;
  const barEnd = piece.indexOf('|', pct + 2);
  if (barEnd < 0) return undefined;
  TQDM_RIGHT.lastIndex = barEnd + 1;
  const m = TQDM_RIGHT.exec(piece);
  if (!m) return undefined;
  const [, n, total, elapsed, remaining, , unitA = '', unitB = '', postfix = ''] = m;
  if (!ITERATION_UNITS.has(rateUnit(unitA, unitB))) return null;
  const step = scaled(n ?? '');
  const totalSteps = scaled(total ?? '');
  if (!(totalSteps > 0) || step > totalSteps * 1.01) return null;
  const signal: ProgressSignal = { format: 'tqdm', step: Math.min(step, totalSteps), totalSteps };
  const eta = remaining === undefined || remaining === '?' ? undefined : clock(remaining);
  const spent = elapsed === undefined || elapsed === '?' ? undefined : clock(elapsed);
  if (eta !== undefined) Object.assign(signal, { etaSeconds: eta, etaScope: 'counter' });
  if (spent !== undefined) signal.elapsedSeconds = spent;
  return withDescription(signal, cut ? '' : piece.slice(0, digits), postfix);
}

function parseTqdmUnknownTotal(piece: string, cut: boolean): Parsed {
  if (!piece.includes(' [')) return undefined;
  const m = TQDM_UNKNOWN_TOTAL.exec(piece);
  if (!m) return undefined;
  const [, n = '', unit = '', elapsed = '', , unitA = '', unitB = ''] = m;
  if (!ITERATION_UNITS.has(unit) || rateUnit(unitA, unitB) !== unit) return null;
  const signal: ProgressSignal = { format: 'tqdm', step: scaled(n), elapsedSeconds: clock(elapsed) ?? 0 };
  return withDescription(signal, cut ? '' : piece.slice(0, m.index), piece.slice(m.index + m[0].length));
}

/** Applies a bar's description: skips non-training bars, reads `Epoch 3` (Lightning, 0-based). */
function withDescription(signal: ProgressSignal, desc: string, postfix: string): Parsed {
  if (desc.trim() === '') return signal;
  if (NOT_TRAINING.test(desc)) return null;
  const epoch = epochFromDescription(desc);
  if (!epoch) return signal;
  const lightning = /^\s*Epoch \d{1,6}:?\s*$/.test(desc) && postfix.includes('v_num');
  return {
    ...signal,
    ...epoch,
    ...(lightning ? { format: 'lightning', epochBase: 0 } : {}),
    stepScope: 'epoch',
  } satisfies ProgressSignal;
}

// Lightning's Rich bar: `Epoch 3/9  ━━━━━━━━━ 450/1000 0:00:12 • 0:00:15 36.50it/s v_num: 0 loss: 0.5`

const TIMEDELTA = String.raw`(?:\d{1,5} days?, )?\d{1,2}:\d{2}:\d{2}`;
const RICH = new RegExp(
  String.raw`(\d{1,12})(?:\.0)?\/(\d{1,12}(?:\.0)?|--) (${TIMEDELTA}|-:--:--) • (${TIMEDELTA}|-:--:--)(?: \d{1,12}\.\d{2}it\/s)?`,
);
const RICH_DESC = /^\s*Epoch (\d{1,6})(?:\/(-?\d{1,6}))?[\s━╸╺─]*$/;

function parseLightningRich(piece: string, cut: boolean): Parsed {
  if (cut || !piece.includes(' • ')) return undefined;
  const m = RICH.exec(piece);
  if (!m) return undefined;
  const desc = RICH_DESC.exec(piece.slice(0, m.index));
  if (!desc) return undefined;
  const [, n = '', total = '', elapsed = '', remaining = ''] = m;
  const signal: ProgressSignal = { format: 'lightning', step: Number(n), epoch: Number(desc[1]), epochBase: 0 };
  signal.stepScope = 'epoch';
  const last = desc[2] === undefined ? -1 : Number(desc[2]);
  if (last >= 0) signal.totalEpochs = last + 1;
  if (total !== '--') {
    signal.totalSteps = Number(total);
    if (!(signal.totalSteps > 0) || Number(n) > signal.totalSteps) return null;
  }
  const eta = clock(remaining);
  const spent = clock(elapsed);
  if (eta !== undefined) Object.assign(signal, { etaSeconds: eta, etaScope: 'counter' });
  if (spent !== undefined) signal.elapsedSeconds = spent;
  return signal;
}

// Keras 2: ` 120/469 [====>.....] - ETA: 10s - loss: 0.3`, `469/469 [=====] - 5s 10ms/step - loss: 0.3`
// Keras 3: ` 120/469 ━━━━━━━━━━━ 10s 22ms/step - loss: 0.3` (ANSI stripped), verbose=2: `469/469 - 5s - ...`

const KERAS_COUNT = /^\s{0,12}(\d{1,12})\/(\d{1,12}) /;
const KERAS2_REST =
  /\[[=>.]{0,200}\] - (?:ETA: (\d{1,6}(?::\d{2}){0,2}s?)|(\d{1,9})s \d{1,9}(?:m|u|µ)?s\/(?:step|sample))/y;
const KERAS3_REST = /━{0,200} (\d{1,6}(?::\d{2}){0,2}s?) \d{1,9}(?:m|u|µ)?s\/(?:step|sample)/y;
const KERAS_VERBOSE2_REST = /- (\d{1,9})s - /y;

function parseKeras(piece: string): Parsed {
  const count = KERAS_COUNT.exec(piece);
  if (!count) return undefined;
  const step = Number(count[1]);
  const totalSteps = Number(count[2]);
  const valid = totalSteps > 0 && step <= totalSteps;
  const at = count[0].length;
  const signal: ProgressSignal = { format: 'keras', step, totalSteps, stepScope: 'epoch', etaScope: 'counter' };
  KERAS2_REST.lastIndex = at;
  const k2 = KERAS2_REST.exec(piece);
  if (k2) {
    if (!valid) return null;
    if (k2[1] === undefined) return { ...signal, etaSeconds: 0, elapsedSeconds: Number(k2[2]) };
    return { ...signal, etaSeconds: kerasClock(k2[1]) ?? 0 };
  }
  KERAS3_REST.lastIndex = at;
  const k3 = KERAS3_REST.exec(piece);
  if (k3) {
    if (!valid) return null;
    const t = kerasClock(k3[1] ?? '') ?? 0;
    // At the end of an epoch Keras 3 prints the time spent where it otherwise prints the ETA.
    return step === totalSteps ? { ...signal, etaSeconds: 0, elapsedSeconds: t } : { ...signal, etaSeconds: t };
  }
  KERAS_VERBOSE2_REST.lastIndex = at;
  const v2 = KERAS_VERBOSE2_REST.exec(piece);
  if (v2) return valid && step === totalSteps ? { ...signal, etaSeconds: 0, elapsedSeconds: Number(v2[1]) } : null;
  return undefined;
}

// Whole lines with one meaning.

const KERAS_EPOCH = /^\s{0,8}Epoch (\d{1,6})\/(\d{1,6})\s*$/;
const HF_NUM_EPOCHS = /(?:^|\s)Num Epochs = ([\d,]{1,15})\s*$/;
const HF_TOTAL_STEPS = /(?:^|\s)Total optimization steps = ([\d,]{1,15})\s*$/;
const LIGHTNING_STOPPED = /`?Trainer\.fit`? stopped: `?max_(?:epochs=(-?\d{1,12})|steps=-?\d{1,12})`? reached/;

function parseFixedLines(piece: string): Parsed {
  const keras = KERAS_EPOCH.exec(piece);
  if (keras) {
    const epoch = Number(keras[1]);
    const totalEpochs = Number(keras[2]);
    if (totalEpochs === 0 || epoch > totalEpochs) return null;
    return { format: 'keras', epoch, epochBase: 1, totalEpochs };
  }
  const epochs = HF_NUM_EPOCHS.exec(piece);
  if (epochs) return { format: 'transformers', totalEpochs: Number((epochs[1] ?? '').replaceAll(',', '')) };
  const steps = HF_TOTAL_STEPS.exec(piece);
  if (steps) {
    return { format: 'transformers', totalSteps: Number((steps[1] ?? '').replaceAll(',', '')), stepScope: 'run' };
  }
  const stopped = LIGHTNING_STOPPED.exec(piece);
  if (stopped) {
    const maxEpochs = stopped[1] === undefined ? -1 : Number(stopped[1]);
    return maxEpochs > 0
      ? { format: 'lightning', done: true, totalEpochs: maxEpochs }
      : { format: 'lightning', done: true };
  }
  return undefined;
}

// Transformers' Trainer logs: `{'loss': 0.5, 'grad_norm': 1.2, 'learning_rate': 1e-05, 'epoch': 1.5}`

const HF_EPOCH = /'epoch': (?:np\.float\d{2}\()?'?(\d{1,6}(?:\.\d{1,17})?(?:e[-+]?\d{1,3})?)'?\)?[,}]/;

function parseTransformersDict(piece: string, cut: boolean): ProgressSignal | undefined {
  const body = piece.trim();
  if (!body.endsWith('}') || (!cut && !body.startsWith("{'"))) return undefined;
  if (body.includes("'train_runtime'")) return { format: 'transformers', done: true };
  const m = HF_EPOCH.exec(body);
  if (!m) return undefined;
  const epochsDone = Number(m[1]);
  return Number.isFinite(epochsDone) ? { format: 'transformers', epochsDone } : undefined;
}

// MMEngine / MMCV: `Epoch(train)  [1][ 50/391]  lr: 1.0e-01  eta: 0:12:34 ...`, `Iter(train) [ 50/90000] ...`

const MM_EPOCH = /\bEpoch(?:\((\w{1,16})\))? {0,8}\[ {0,8}(\d{1,9})\]\[ {0,8}(\d{1,9})\/(\d{1,9})\]/;
const MM_ITER = /\bIter(?:\((\w{1,16})\))? {0,8}\[ {0,8}(\d{1,9})\/(\d{1,9})\]/;
const RUN_ETA = new RegExp(String.raw`\beta: (${TIMEDELTA})`);

function parseMmengine(piece: string): Parsed {
  const epoch = MM_EPOCH.exec(piece);
  const iter = epoch ? undefined : MM_ITER.exec(piece);
  const m = epoch ?? iter;
  if (!m) return undefined;
  const mode = m[1];
  if (mode !== undefined && mode !== 'train') return null;
  const signal: ProgressSignal = epoch
    ? {
        format: 'mmengine',
        epoch: Number(epoch[2]),
        epochBase: 1,
        step: Number(epoch[3]),
        totalSteps: Number(epoch[4]),
        stepScope: 'epoch',
      }
    : { format: 'mmengine', step: Number(m[2]), totalSteps: Number(m[3]), stepScope: 'run' };
  if (!((signal.totalSteps ?? 0) > 0) || (signal.step ?? 0) > (signal.totalSteps ?? 0)) return null;
  return withRunEta(signal, piece);
}

function withRunEta(signal: ProgressSignal, piece: string): ProgressSignal {
  const eta = RUN_ETA.exec(piece);
  const seconds = eta ? clock(eta[1] ?? '') : undefined;
  return seconds === undefined ? signal : { ...signal, etaSeconds: seconds, etaScope: 'run' };
}

// Plain text. A counter needs a keyword right before it; without a total it needs `=` or `:` too.

const KEYWORD_COUNTER =
  /(?<![\w.])(epochs?|steps?|global_step|iters?|iterations?|batch(?:es)?)["']?\s{0,4}(?:([:=#])\s{0,4})?(?:[[(]\s{0,4})?(\d{1,9})(?:\s{0,4}(?:\/|of\b)\s{0,4}(\d{1,9}))?(?![\d/]|\.\d)/gi;
const DOCKER_STEP = /^\s*Step \d{1,6}\/\d{1,6} : [A-Z]/;
/** A leading `[2/10]` (or DCGAN's `[0/5][50/1583]`), then metrics or nothing — not ninja's `[3/12] /usr/bin/c++`. */
const LEADING_BRACKETS =
  /^\s{0,8}\[ {0,4}(\d{1,9}) {0,4}\/ {0,4}(\d{1,9}) {0,4}\](?:\[ {0,4}(\d{1,9}) {0,4}\/ {0,4}(\d{1,9}) {0,4}\])?(?=\s{0,8}$|\s{1,8}[\w ]{1,40}[:=] {0,4}-?\d)/;
const PYTORCH_EXAMPLE = /\bTrain Epoch: (\d{1,6}) \[(\d{1,12})\/(\d{1,12}) \(\d{1,3}%\)\]/;
const CHINESE_EPOCH = /第\s{0,4}(\d{1,6})\s{0,4}\/\s{0,4}(\d{1,6})\s{0,4}轮/;

function parseText(piece: string, cut: boolean): Parsed {
  if (DOCKER_STEP.test(piece)) return null;

  const example = PYTORCH_EXAMPLE.exec(piece);
  if (example) {
    const step = Number(example[2]);
    const totalSteps = Number(example[3]);
    if (!(totalSteps > 0) || step > totalSteps) return undefined;
    return { format: 'text', epoch: Number(example[1]), step, totalSteps, stepScope: 'epoch' };
  }

  const brackets = cut ? null : LEADING_BRACKETS.exec(piece);
  if (brackets) {
    const [, a = '', b = '', c, d] = brackets;
    if (!counterOk(a, b) || (c !== undefined && !counterOk(c, d ?? ''))) return undefined;
    if (c === undefined || d === undefined) return { format: 'text', step: Number(a), totalSteps: Number(b) };
    return {
      format: 'text',
      epoch: Number(a),
      totalEpochs: Number(b),
      step: Number(c),
      totalSteps: Number(d),
      stepScope: 'epoch',
    };
  }

  const chinese = CHINESE_EPOCH.exec(piece);
  if (chinese) {
    const [, a = '', b = ''] = chinese;
    return counterOk(a, b) ? { format: 'text', epoch: Number(a), totalEpochs: Number(b) } : undefined;
  }

  let signal: ProgressSignal | undefined;
  let sawEpoch = false;
  let sawStep = false;
  KEYWORD_COUNTER.lastIndex = 0;
  for (let m = KEYWORD_COUNTER.exec(piece); m !== null; m = KEYWORD_COUNTER.exec(piece)) {
    const [, rawKeyword = '', separator, n = '', total] = m;
    const keyword = rawKeyword.toLowerCase();
    const isEpoch = keyword.startsWith('epoch');
    if (isEpoch ? sawEpoch : sawStep) continue;
    if (total === undefined) {
      // `epoch=2`, `step: 150`; not `steps = 1` (a setting) nor `step 2` (prose).
      if (separator === undefined || !['epoch', 'step', 'global_step', 'iter'].includes(keyword)) continue;
    } else if (!counterOk(n, total)) {
      continue;
    }
    signal ??= { format: 'text' };
    if (isEpoch) {
      sawEpoch = true;
      signal.epoch = Number(n);
      if (total !== undefined) signal.totalEpochs = Number(total);
    } else {
      sawStep = true;
      signal.step = Number(n);
      if (total !== undefined) signal.totalSteps = Number(total);
    }
  }
  return signal && withRunEta(signal, piece);
}

function counterOk(n: string, total: string): boolean {
  const a = Number(n);
  const b = Number(total);
  return b > 0 && a <= b;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

const PARSERS: readonly PieceParser[] = [
  parseTransformersDict,
  parseTqdm,
  parseTqdmUnknownTotal,
  parseLightningRich,
  (piece, cut) => (cut ? undefined : parseKeras(piece)),
  parseFixedLines,
  parseMmengine,
  parseText,
];

// ---- tracking ----------------------------------------------------------------------------------

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
