import { z } from 'zod';
import { shown } from './fieldErrors.js';
import { JOB_LIMITS } from './jobLimits.js';

/** Letters (any script, Chinese included), digits, `_` and `-`, starting with a letter or digit. */
export const JOB_NAME_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N}_-]{0,59}$/u;

function nameProblem(input: unknown): string {
  if (input === undefined) return 'name is required';
  if (typeof input !== 'string') return `name must be text (got ${shown(input)})`;
  const chars = [...input];
  if (chars.length === 0) return 'name is empty: give the job a name, e.g. mnist-ddp';
  if (chars.length > JOB_LIMITS.nameChars) {
    return `name is ${chars.length} characters; at most ${JOB_LIMITS.nameChars}`;
  }
  if (!/^[\p{L}\p{N}]/u.test(input)) return `name must start with a letter or digit (got ${shown(chars[0])})`;
  const bad = chars.find((c) => !/^[\p{L}\p{N}_-]$/u.test(c));
  return `name may contain only letters (Chinese included), digits, _ and -; ${shown(bad ?? input)} is not allowed`;
}

export const JobNameSchema = z
  .string({ error: (iss) => nameProblem(iss.input) })
  .regex(JOB_NAME_PATTERN, { error: (iss) => nameProblem(iss.input) });

export const JobIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'job id must be 1-64 letters, digits, _, . or -');
