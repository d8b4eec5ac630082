import { ApiError, SaveImageBodySchema } from '@aiplat/api';

/*
 * The name a saved image gets (`<repository>:<tag>` on the platform's registry), checked as the
 * user types by the contract's own rules: the API refuses the same values with the same sentences.
 */

/** The tag offered first. */
export const DEFAULT_IMAGE_TAG = 'v1';

const MAX_REPOSITORY_CHARS = 255;

/** The contract's message for one field of a save request, or undefined when the field takes it. */
function saveFieldProblem(field: 'repository' | 'tag', value: string): string | undefined {
  const body = { repository: 'a', tag: DEFAULT_IMAGE_TAG, [field]: value };
  const parsed = SaveImageBodySchema.safeParse(body);
  if (parsed.success) return undefined;
  return parsed.error.issues.find((issue) => issue.path[0] === field)?.message;
}

/** Why `value` is not a repository the registry takes (lowercase `a-z0-9._-` separated by `/`), or undefined. */
export function repositoryProblem(value: string): string | undefined {
  return saveFieldProblem('repository', value);
}

/** Why `value` is not a tag (`[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`), or undefined. */
export function tagProblem(value: string): string | undefined {
  return saveFieldProblem('tag', value);
}

/**
 * A repository name made from a dev machine's name: lowercased, every run of other characters a
 * single `-`, no separator at either end (`My_Box 2` → `my_box-2`). Empty when nothing is left.
 */
export function repositoryFromName(name: string): string {
  const lowered = name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    // Separators only between letters and digits: `.` and `_` alone, `-` in runs.
    .replace(/[._-]*([._])[._-]*/g, (run: string, kept: string) => (/^-+$/.test(run) ? run : kept))
    .replace(/^[._-]+|[._-]+$/g, '')
    .slice(0, MAX_REPOSITORY_CHARS)
    .replace(/[._-]+$/g, '');
  return repositoryProblem(lowered) === undefined ? lowered : '';
}

/** The fields of a save request the user types. */
export type SaveField = 'repository' | 'tag' | 'comment';
const SAVE_FIELDS: readonly SaveField[] = ['repository', 'tag', 'comment'];

/**
 * What a refused save request (a 400) says of each field the user typed, by the issues' paths
 * (`body.repository`, `tag`); undefined when the error names none of them.
 */
export function saveFieldProblems(error: unknown): Partial<Record<SaveField, string>> | undefined {
  if (!(error instanceof ApiError) || error.code !== 'validation_failed') return undefined;
  const problems: Partial<Record<SaveField, string>> = {};
  for (const issue of error.issues ?? []) {
    const field = SAVE_FIELDS.find((name) => issue.path.replace(/^body\./, '').split('.')[0] === name);
    if (field) problems[field] = problems[field] ? `${problems[field]}; ${issue.message}` : issue.message;
  }
  return Object.keys(problems).length > 0 ? problems : undefined;
}
