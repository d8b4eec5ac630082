import { z } from 'zod';

/*
 * How the rules of a JobSpec word their issues: the path names the field (`resources.accelerator.count`)
 * and the message tells the user what to write instead. These messages reach people editing a
 * job.yaml, through the API's 400s, the CLI and both extensions.
 */

interface IssueLike {
  input?: unknown;
}

/** A value as a message quotes it, cut to 40 characters. */
export function shown(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value) ?? value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** `x is required` when the field is missing, `x must be <expected> (got ...)` otherwise. */
export function fieldError(field: string, expected: string) {
  return (iss: IssueLike) =>
    iss.input === undefined ? `${field} is required` : `${field} must be ${expected} (got ${shown(iss.input)})`;
}

export function wholeNumber(field: string, min: number, max: number, note = '') {
  const expected = `a whole number from ${min} to ${max}${note}`;
  const error = fieldError(field, expected);
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

function normalisedKey(key: string): string {
  return key.toLowerCase().replace(/[_-]/g, '');
}

/**
 * An object that names each unknown field in its own issue (`nodes: ...` rather than a list at the
 * parent). `label` names it in type errors; `hints` explain fields that belong to another mode; near-misses (`working_dir`) get a
 * "did you mean".
 */
export function strictObject<S extends z.ZodRawShape>(
  shape: S,
  label: string,
  hints: Readonly<Record<string, string>> = {},
) {
  const known = Object.keys(shape);
  const error = fieldError(label, `a mapping of ${known.join(', ')}`);
  return z.looseObject(shape, { error }).superRefine(
    (value, ctx) => {
      if (typeof value !== 'object' || value === null) return;
      for (const key of Object.keys(value)) {
        if (known.includes(key)) continue;
        const near = known.find((k) => normalisedKey(k) === normalisedKey(key));
        const message =
          hints[key] ??
          (near
            ? `unknown field "${key}": did you mean "${near}"?`
            : `unknown field "${key}"; the fields here are ${known.join(', ')}`);
        ctx.addIssue({ code: 'custom', path: [key], message, input: (value as Record<string, unknown>)[key] });
      }
    },
    { when: () => true },
  );
}
