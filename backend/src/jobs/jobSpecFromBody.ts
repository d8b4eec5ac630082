import { ApiError, specFromCreateBody, type CreateJobBody, type JobSpec } from '@aiplat/api';

/** The spec of a create-job body (JSON or job.yaml text); a 400 naming each field otherwise. */
export function jobSpecFromBody(body: CreateJobBody): JobSpec {
  const parsed = specFromCreateBody(body);
  if ('spec' in parsed) return parsed.spec;
  const issues = parsed.errors.map((e) => ({ path: `body.${e.path}`, message: e.message }));
  throw new ApiError('validation_failed', `invalid job: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, {
    issues,
  });
}
