const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === NEWLINE;
}

/**
 * The 1-based line each element of a JSON document's records array starts on: the root array's
 * elements, or with `inData` those of the root object's `data` array (the last `data`, as
 * JSON.parse keeps). `text` must be valid JSON (it was parsed already); one pass, no parsing.
 */
export function jsonElementLines(text: string, inData: boolean): number[] {
  let lines: number[] = [];
  let line = 1;
  const stack: number[] = [];
  /** Depth of the records array while it is open, else -1. */
  let targetDepth = -1;
  let expectElement = false;
  /** At depth 1 of the root object: the next string is a key. */
  let expectKey = false;
  let key: string | undefined;

  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === NEWLINE) line++;
    if (isSpace(c)) continue;
    if (expectElement && c !== CLOSE_ARRAY) lines.push(line);
    expectElement = false;
    const depth = stack.length;
    const atRootObject = depth === 1 && stack[0] === OPEN_OBJECT;

    if (c === QUOTE) {
      const start = i;
      for (i++; text.charCodeAt(i) !== QUOTE; i++) if (text.charCodeAt(i) === BACKSLASH) i++;
      if (atRootObject && expectKey) key = JSON.parse(text.slice(start, i + 1)) as string;
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      stack.push(c);
      const isTarget = c === OPEN_ARRAY && (inData ? atRootObject && key === 'data' : depth === 0);
      if (isTarget) {
        lines = [];
        targetDepth = stack.length;
        expectElement = true;
      }
      if (c === OPEN_OBJECT && depth === 0) expectKey = true;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      if (stack.length === targetDepth) targetDepth = -1;
      stack.pop();
    } else if (c === COMMA) {
      if (depth === targetDepth) expectElement = true;
      if (atRootObject) expectKey = true;
    } else if (c === COLON) {
      if (atRootObject) expectKey = false;
    }
  }
  return lines;
}
