/*
 * Checks on a parsed document (a JSON body, a job.yaml) that the schemas cannot make: zod walks
 * values recursively and drops a "__proto__" key from what it returns, so both are looked for
 * first, without recursion.
 */

/**
 * How deep lists and mappings may nest in a job (hyperparameters are the only free-form part).
 * Deeper documents are refused before anything walks them recursively, so a 10,000-deep list is a
 * 400 that says so rather than a stack overflow.
 */
export const MAX_NESTING_DEPTH = 64;

/** The message for a document the parser itself could not descend. */
export const NESTS_TOO_DEEPLY = `the document nests too deeply: lists and mappings may nest at most ${MAX_NESTING_DEPTH} levels`;

/** Whether an error is the engine running out of stack (what a too-deep document does to a parser). */
export function isStackOverflow(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /maximum call stack size exceeded|too much recursion/i.test(message);
}

/**
 * The path of the first list or mapping nested deeper than `max` levels below `value` (which is
 * level 0), or `undefined`. Walks without recursion, so any depth is safe to ask about.
 */
export function tooDeepPath(value: unknown, max = MAX_NESTING_DEPTH): (string | number)[] | undefined {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: current, path } = stack.pop() as { value: unknown; path: (string | number)[] };
    if (current === null || typeof current !== 'object') continue;
    if (path.length > max) return path;
    const entries: [string | number, unknown][] = Array.isArray(current)
      ? current.map((item, i) => [i, item])
      : Object.entries(current);
    for (const [key, item] of entries) {
      if (item !== null && typeof item === 'object') stack.push({ value: item, path: [...path, key] });
    }
  }
  return undefined;
}

/** The message for a "__proto__" key, which would otherwise vanish without a word. */
export const PROTO_KEY_MESSAGE = 'unknown field "__proto__": no object in a job has it; remove it';

/** Paths of every own "__proto__" key in `value` (JSON.parse and YAML keep them as plain keys). */
export function protoKeyPaths(value: unknown, maxDepth = MAX_NESTING_DEPTH): (string | number)[][] {
  const found: (string | number)[][] = [];
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: current, path } = stack.pop() as { value: unknown; path: (string | number)[] };
    if (current === null || typeof current !== 'object' || path.length > maxDepth) continue;
    if (!Array.isArray(current) && Object.prototype.hasOwnProperty.call(current, '__proto__')) {
      found.push([...path, '__proto__']);
    }
    const entries: [string | number, unknown][] = Array.isArray(current)
      ? current.map((item, i) => [i, item])
      : Object.entries(current);
    for (const [key, item] of entries) {
      if (key !== '__proto__' && item !== null && typeof item === 'object') {
        stack.push({ value: item, path: [...path, key] });
      }
    }
  }
  return found;
}
