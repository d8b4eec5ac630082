/*
 * tqdm bars, with or without a description, `it/s` or `s/it` or `?it/s`, and unknown totals
 * (`450it [...]`). Bars that are not training are skipped: descriptions such as `Validation`, `eval`,
 * `Loading checkpoint shards`, `Map`, `Downloading`, and units other than iterations (`B/s`,
 * `examples/s`). The Transformers Trainer's bar is a plain tqdm bar; Lightning's is one whose
 * description is `Epoch 3:` (0-based) and whose postfix has `v_num`.
 */
import { durationSeconds } from './printedDurations.js';
import type { Parsed, ProgressSignal } from './progressSignal.js';

const SI: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15 };

/** `450`, `4.50k` (tqdm's unit_scale) → a count. */
function scaled(s: string): number {
  const last = s[s.length - 1] ?? '';
  const factor = SI[last];
  return factor === undefined ? Number(s) : Math.round(Number(s.slice(0, -1)) * factor);
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

export function parseTqdm(piece: string, cut: boolean): Parsed {
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
  const eta = remaining === undefined || remaining === '?' ? undefined : durationSeconds(remaining);
  const spent = elapsed === undefined || elapsed === '?' ? undefined : durationSeconds(elapsed);
  if (eta !== undefined) Object.assign(signal, { etaSeconds: eta, etaScope: 'counter' });
  if (spent !== undefined) signal.elapsedSeconds = spent;
  return withDescription(signal, cut ? '' : piece.slice(0, digits), postfix);
}

export function parseTqdmUnknownTotal(piece: string, cut: boolean): Parsed {
  if (!piece.includes(' [')) return undefined;
  const m = TQDM_UNKNOWN_TOTAL.exec(piece);
  if (!m) return undefined;
  const [, n = '', unit = '', elapsed = '', , unitA = '', unitB = ''] = m;
  if (!ITERATION_UNITS.has(unit) || rateUnit(unitA, unitB) !== unit) return null;
  const signal: ProgressSignal = { format: 'tqdm', step: scaled(n), elapsedSeconds: durationSeconds(elapsed) ?? 0 };
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

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}
