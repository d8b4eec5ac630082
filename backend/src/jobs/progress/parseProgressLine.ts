/*
 * Reading one log line. It runs on every log line, so `parseProgressLine` looks at the last
 * `MAX_EXAMINED_CHARS` characters only, rejects most lines with two cheap tests before any format regex,
 * and every regex of the parsers is linear (bounded repetitions, no nested or adjacent ambiguous
 * quantifiers). `\r`-separated redraws (tqdm writing into a pipe): the last complete redraw wins.
 */
import { parseKerasBar, parseKerasEpochLine } from './parseKeras.js';
import { parseLightningRich, parseLightningStopped } from './parseLightning.js';
import { parseMmengine } from './parseMmengine.js';
import { parseText } from './parseText.js';
import { parseTqdm, parseTqdmUnknownTotal } from './parseTqdm.js';
import { parseTransformersDict, parseTransformersHeader } from './parseTransformers.js';
import type { PieceParser, ProgressSignal } from './progressSignal.js';

/** How much of a line is examined: its last characters (a tqdm redraw or a log dict fits easily). */
export const MAX_EXAMINED_CHARS = 512;

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

/** In order: a parser's `null` ends the search, so the specific formats come before plain text. */
const PARSERS: readonly PieceParser[] = [
  parseTransformersDict,
  parseTqdm,
  parseTqdmUnknownTotal,
  parseLightningRich,
  parseKerasBar,
  parseKerasEpochLine,
  parseTransformersHeader,
  parseLightningStopped,
  parseMmengine,
  parseText,
];

/** `cut`: the piece's beginning lies before the examined window, so formats anchored at it are off. */
function parsePiece(piece: string, cut: boolean): ProgressSignal | undefined {
  for (const parse of PARSERS) {
    const parsed = parse(piece, cut);
    if (parsed !== undefined) return parsed ?? undefined;
  }
  return undefined;
}
