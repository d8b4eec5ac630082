import { isUtf8 } from 'node:buffer';
import { parseLogLine, type LogStream } from './logFormat.js';

/**
 * The JSON each log line becomes: `head`, the time's characters, `beforeMessage[stream]`, the
 * message as a JSON string, `beforeSeq`, the sequence number, `tail`; `separator` between lines.
 * E.g. `{"time":"` … `","stream":"stdout","text":` … `,"seq":` … `}` and `,`.
 */
export interface LogLineTemplate {
  head: string;
  beforeMessage: Record<LogStream, string>;
  beforeSeq: string;
  tail: string;
  separator: string;
}

/** What `LogSplicer.splice` made of a block of lines. */
export interface SplicedLines {
  /** The lines' JSON, joined by the separator. A view that the next `splice` overwrites. */
  json: Buffer;
  /** How many lines it holds. */
  count: number;
  /** The sequence number after its last line (`fromSeq` when it holds none). */
  nextSeq: number;
}

const NL = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const BRACE_CLOSE = 0x7d;
const T_KEY = Buffer.from('{"t":"');
const S_KEY = Buffer.from('","s":"');
const SEQ_KEY = Buffer.from('","seq":');
const M_KEY = Buffer.from(',"m":"');
const CUT_TAIL = Buffer.from(',"c":true}');
/** Each stream's name followed by its closing quote. */
const OUT = { s: 'out', bytes: Buffer.from('out"') } as const;
const ERR = { s: 'err', bytes: Buffer.from('err"') } as const;
const PLATFORM = { s: 'platform', bytes: Buffer.from('platform"') } as const;
/** Characters that may follow a backslash in a JSON string (`u` is checked apart). */
const SIMPLE_ESCAPES = new Set([0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]);
/** The most digits a sequence number has in the fast path (below 2^53). */
const MAX_SEQ_DIGITS = 15;

function isHex(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66);
}

function matches(block: Uint8Array, at: number, key: Uint8Array): boolean {
  if (at + key.length > block.length) return false;
  for (let i = 0; i < key.length; i++) if (block[at + i] !== key[i]) return false;
  return true;
}

/** A template as bytes; `overhead` is the most template bytes one line takes. */
interface CompiledTemplate {
  source: LogLineTemplate;
  /** `head`, and the separator then `head`. */
  first: Piece;
  later: Piece;
  /** Each followed by the message's opening quote. */
  beforeMessage: Record<LogStream, Piece>;
  beforeSeq: Piece;
  tail: Piece;
  overhead: number;
}

/**
 * Re-encodes whole log file lines (`encodeLogLine`'s JSON lines) as other JSON, byte for byte,
 * without decoding them: the time, the message's JSON string and the sequence number are copied
 * from the file. A line is copied only when it is laid out as `encodeLogLine` writes it and its
 * message is a well-formed JSON string of valid UTF-8; any other line goes through `parseLogLine` (a
 * torn or foreign line is skipped, as every reader skips it), so the output is always valid JSON.
 */
export class LogSplicer {
  private readonly template: CompiledTemplate;
  private readonly state: SpliceState = { out: Buffer.allocUnsafe(64 * 1024), o: 0, count: 0, next: 0 };

  constructor(template: LogLineTemplate) {
    const before = (s: LogStream) => piece(template.beforeMessage[s] + '"');
    const beforeMessage = { out: before('out'), err: before('err'), platform: before('platform') };
    const later = piece(template.separator + template.head);
    const beforeSeq = piece(template.beforeSeq);
    const tail = piece(template.tail);
    const longest = Math.max(...Object.values(beforeMessage).map((b) => b.bytes.length));
    this.template = {
      source: template,
      first: piece(template.head),
      later,
      beforeMessage,
      beforeSeq,
      tail,
      overhead: later.bytes.length + longest + beforeSeq.bytes.length + tail.bytes.length,
    };
  }

  /**
   * The lines of `block` (whole lines, each ending in a newline; a last one without is taken as
   * whole) whose sequence numbers keep growing from `fromSeq`: a line below the last one taken is
   * left out, so the output never repeats a line and `nextSeq` resumes right after it.
   */
  splice(block: Buffer, fromSeq: number): SplicedLines {
    const state = this.state;
    state.o = 0;
    state.count = 0;
    state.next = fromSeq;
    spliceInto(state, block, this.template);
    return { json: state.out.subarray(0, state.o), count: state.count, nextSeq: state.next };
  }
}

/** Where a splice stands: the output so far (`out` up to `o`), its line count and the next seq wanted. */
interface SpliceState {
  out: Buffer;
  o: number;
  count: number;
  next: number;
}

/**
 * Nonzero exactly when one of the 4 bytes in `x` is a quote, a backslash or a control character
 * (bytes from 0x80 up are none of these): the "has a byte below n" and "has a zero byte" tricks.
 */
function special(x: number): number {
  const quote = x ^ 0x22222222;
  const backslash = x ^ 0x5c5c5c5c;
  return (
    (((x - 0x20202020) & ~x) | ((quote - 0x01010101) & ~quote) | ((backslash - 0x01010101) & ~backslash)) & HIGH_BITS
  );
}

const HIGH_BITS = 0x80808080;

/** Template bytes and a view of them, to copy 4 bytes at a time. */
interface Piece {
  bytes: Buffer;
  view: DataView;
}

function piece(text: string): Piece {
  const bytes = Buffer.from(text);
  return { bytes, view: viewOf(bytes) };
}

/** Copies `piece` to `out` (whose view is `outView`) at `o`; returns the offset after it. */
function put(out: Buffer, outView: DataView, o: number, { bytes, view }: Piece): number {
  const n = bytes.length;
  let i = 0;
  for (; i + 4 <= n; i += 4) outView.setUint32(o + i, view.getUint32(i, true), true);
  for (; i < n; i++) out[o + i] = bytes[i]!;
  return o + n;
}

function viewOf(buf: Buffer): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.length);
}

/**
 * The fast path copies 4 bytes at a time while none is special, and byte by byte around the special
 * ones, writing as it checks; a line that fails a check is written again from its full parse.
 */
function spliceInto(state: SpliceState, block: Buffer, template: CompiledTemplate): void {
  const { first, later, beforeMessage, beforeSeq, tail, overhead } = template;
  let { out, o, count, next } = state;
  let outView = viewOf(out);
  const view = viewOf(block);
  const end = block.length;
  for (let pos = 0; pos < end;) {
    let nl = block.indexOf(NL, pos);
    if (nl === -1) nl = end;
    const start = pos;
    pos = nl + 1;
    if (out.length - o < nl - start + overhead) {
      out = grow(out, o, nl - start + overhead);
      outView = viewOf(out);
    }
    const lineO = o;
    fast: {
      if (!matches(block, start, T_KEY)) break fast;
      const head = count > 0 ? later : first;
      o = put(out, outView, o, head);
      let p = start + T_KEY.length;
      // The time: printable ASCII without quotes or backslashes, so it needs no escaping.
      for (;;) {
        if (p + 4 <= nl) {
          const x = view.getUint32(p, true);
          if (((special(x) | x) & HIGH_BITS) === 0) {
            outView.setUint32(o, x, true);
            o += 4;
            p += 4;
            continue;
          }
        }
        if (p >= nl) break fast;
        const b = block[p]!;
        if (b === QUOTE) break;
        if (b < 0x20 || b > 0x7f || b === BACKSLASH) break fast;
        out[o++] = b;
        p++;
      }
      if (!matches(block, p, S_KEY)) break fast;
      p += S_KEY.length;
      const letter = block[p];
      const stream = letter === 0x6f ? OUT : letter === 0x65 ? ERR : letter === 0x70 ? PLATFORM : undefined;
      if (stream === undefined || !matches(block, p, stream.bytes)) break fast;
      p += stream.bytes.length - 1;
      if (!matches(block, p, SEQ_KEY)) break fast;
      p += SEQ_KEY.length;
      const seqStart = p;
      let seq = 0;
      for (let b = block[p]!; b >= 0x30 && b <= 0x39 && p < nl; b = block[++p]!) seq = seq * 10 + (b - 0x30);
      const seqEnd = p;
      const digits = seqEnd - seqStart;
      if (digits === 0 || digits > MAX_SEQ_DIGITS || (digits > 1 && block[seqStart] === 0x30)) break fast;
      if (seq < next) {
        o = lineO;
        continue;
      }
      if (!matches(block, p, M_KEY)) break fast;
      p += M_KEY.length;
      const mStart = p - 1; // the opening quote, which beforeMessage ends with
      const before = beforeMessage[stream.s];
      o = put(out, outView, o, before);
      // The message: a JSON string, copied as it is checked up to its closing quote.
      let high = 0;
      for (;;) {
        if (p + 4 <= nl) {
          const x = view.getUint32(p, true);
          if (special(x) === 0) {
            outView.setUint32(o, x, true);
            o += 4;
            p += 4;
            high |= x;
            continue;
          }
        }
        if (p >= nl) break fast;
        const b = block[p++]!;
        out[o++] = b;
        if (b === QUOTE) break;
        if (b === BACKSLASH) {
          const e = block[p]!;
          if (SIMPLE_ESCAPES.has(e)) {
            out[o++] = e;
            p++;
          } else if (
            e === 0x75 &&
            isHex(block[p + 1]!) &&
            isHex(block[p + 2]!) &&
            isHex(block[p + 3]!) &&
            isHex(block[p + 4]!)
          ) {
            for (let i = 0; i < 5; i++) out[o++] = block[p++]!;
          } else break fast;
        } else if (b < 0x20) break fast;
        else high |= b;
      }
      const mEnd = p; // after the closing quote
      const closed =
        (mEnd + 1 === nl && block[mEnd] === BRACE_CLOSE) ||
        (mEnd + CUT_TAIL.length === nl && matches(block, mEnd, CUT_TAIL));
      if (!closed || ((high & HIGH_BITS) !== 0 && !isUtf8(block.subarray(mStart, mEnd)))) break fast;
      o = put(out, outView, o, beforeSeq);
      for (let i = seqStart; i < seqEnd; i++) out[o++] = block[i]!;
      o = put(out, outView, o, tail);
      count++;
      next = seq + 1;
      continue;
    }
    o = lineO;
    const parsed = encodeParsed(block.toString('utf8', start, nl), next, count > 0, template);
    if (!parsed) continue;
    if (out.length - o < parsed.json.length) {
      out = grow(out, o, parsed.json.length);
      outView = viewOf(out);
    }
    out.set(parsed.json, o);
    o += parsed.json.length;
    count++;
    next = parsed.seq + 1;
  }
  state.out = out;
  state.o = o;
  state.count = count;
  state.next = next;
}

/** A line the fast path refused, through the full parse: its JSON (with the separator first if `separated`), or undefined to skip it. */
function encodeParsed(
  text: string,
  next: number,
  separated: boolean,
  template: CompiledTemplate,
): { json: Buffer; seq: number } | undefined {
  const line = parseLogLine(text);
  if (!line || !Number.isSafeInteger(line.seq) || line.seq < next) return undefined;
  const t = template.source;
  const json =
    (separated ? t.separator : '') +
    t.head +
    JSON.stringify(line.t).slice(1, -1) +
    t.beforeMessage[line.s] +
    JSON.stringify(line.m) +
    t.beforeSeq +
    String(line.seq) +
    t.tail;
  return { json: Buffer.from(json), seq: line.seq };
}

/** A buffer with room for `bytes` more after its first `used`, which it keeps. */
function grow(out: Buffer, used: number, bytes: number): Buffer {
  const bigger = Buffer.allocUnsafe(Math.max(out.length * 2, used + bytes));
  out.copy(bigger, 0, 0, used);
  return bigger;
}
