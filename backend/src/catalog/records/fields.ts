/** Field checks shared by the annotation types' record rules. */

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What a value is, for messages: `a number`, `an array`, `null`, … */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return value.trim() === '' ? 'an empty string' : 'a string';
  return typeof value === 'number' ? 'a number' : `a ${typeof value}`;
}

const MAX_KEYS_SHOWN = 8;

/** A record's keys for a message: `keys a, b, c` (or `no keys`). */
export function keysOf(record: Record<string, unknown>): string {
  const keys = Object.keys(record);
  if (keys.length === 0) return 'no keys';
  const shown = keys.slice(0, MAX_KEYS_SHOWN).join(', ');
  return `keys ${shown}${keys.length > MAX_KEYS_SHOWN ? ', …' : ''}`;
}

/**
 * What is wrong with a record, gathered field by field. A missing field or one of the wrong type
 * means the record has the wrong layout, so the message then ends with the expected shape; an
 * empty value does not need it.
 */
export class Issues {
  private readonly list: string[] = [];
  private shapeWrong = false;

  /** The record does not have the expected layout. */
  shape(message: string): void {
    this.list.push(message);
    this.shapeWrong = true;
  }

  /** The layout is right but a value is not usable. */
  value(message: string): void {
    this.list.push(message);
  }

  message(expectedShape: string): string | undefined {
    if (this.list.length === 0) return undefined;
    return this.list.join('; ') + (this.shapeWrong ? `; ${expectedShape}` : '');
  }
}

/** A key that differs from `name` only in case or surrounding spaces, e.g. `query` for `Query`. */
export function nearMiss(record: Record<string, unknown>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  return Object.keys(record).find((key) => key !== name && key.trim().toLowerCase() === wanted);
}

function missing(issues: Issues, record: Record<string, unknown>, name: string): void {
  const near = nearMiss(record, name);
  if (near !== undefined) issues.shape(`has "${near}" where "${name}" is expected (names are case-sensitive)`);
  else issues.shape(`${name} is missing`);
}

/** `name` must be a string with more than white space in it. */
export function requireText(issues: Issues, record: Record<string, unknown>, name: string): void {
  const value = record[name];
  if (!(name in record)) missing(issues, record, name);
  else if (typeof value !== 'string') issues.shape(`${name} is ${describe(value)}, not a string`);
  else if (value.trim() === '') issues.value(`${name} is empty`);
}

/** `name` may be missing or null (exports from tables write null for an empty cell); else a string. */
export function optionalText(issues: Issues, record: Record<string, unknown>, name: string): void {
  const value = record[name];
  if (value !== undefined && value !== null && typeof value !== 'string') {
    issues.shape(`${name} is ${describe(value)}, not a string`);
  }
}
