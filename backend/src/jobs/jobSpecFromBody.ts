import { ApiError, issuesInJobYaml, specFromCreateBody, type CreateJobBody, type JobSpec } from '@aiplat/api';

/** The spec of a create-job body (JSON or job.yaml text); a 400 naming each field otherwise. */
export function jobSpecFromBody(body: CreateJobBody): JobSpec {
  const parsed = specFromCreateBody(body);
  if ('spec' in parsed) return parsed.spec;
  const issues = parsed.errors.map((e) => ({ path: `body.${e.path}`, message: e.message }));
  throw new ApiError('validation_failed', `invalid job: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, {
    issues,
  });
}

/**
 * A refusal of the spec found after parsing (an engine's checks, the working folder), pointed at
 * the job.yaml when the body was one: `body.spec.queue` becomes `body.yaml.queue` with its line,
 * as the checks of the file itself say. Anything else is returned as it is.
 */
export function inJobYaml(error: unknown, body: CreateJobBody): unknown {
  if (body.yaml === undefined || !(error instanceof ApiError) || !error.issues) return error;
  const issues = issuesInJobYaml(body.yaml, error.issues, 'body.spec', 'body.yaml');
  const line = issues.map((i) => /\(line (\d+)\)$/.exec(i.message)?.[1]).find((l) => l !== undefined);
  return new ApiError(error.code, line === undefined ? error.message : `${error.message} (line ${line})`, {
    status: error.status,
    issues,
    cause: error,
  });
}
