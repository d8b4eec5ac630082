import { z } from 'zod';

export const ERROR_CODES = [
  'bad_request',
  'validation_failed',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'gone',
  'payload_too_large',
  'range_not_satisfiable',
  'read_only',
  'path_outside_root',
  'unsupported_media_type',
  'version_mismatch',
  'internal',
  'unavailable',
  'network',
  'invalid_response',
] as const;
export const ErrorCodeSchema = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

export const ErrorIssueSchema = z.object({
  /** Dotted path of the offending field, e.g. `query.limit` or `body.to`. */
  path: z.string(),
  message: z.string(),
});
export type ErrorIssue = z.infer<typeof ErrorIssueSchema>;

export const ErrorBodySchema = z
  .object({
    error: z.object({
      code: ErrorCodeSchema,
      message: z.string(),
      status: z.number().int(),
      requestId: z.string().optional(),
      issues: z.array(ErrorIssueSchema).optional(),
    }),
  })
  .meta({ id: 'ErrorBody' });
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** The HTTP status each code is answered with. */
export const ERROR_STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  range_not_satisfiable: 416,
  gone: 410,
  read_only: 403,
  path_outside_root: 403,
  unsupported_media_type: 415,
  version_mismatch: 409,
  internal: 500,
  unavailable: 503,
  network: 0,
  invalid_response: 0,
};

/** A typed error, thrown by the backend's services and by the client alike. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly issues: ErrorIssue[] | undefined;
  readonly requestId: string | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { status?: number; issues?: ErrorIssue[]; requestId?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApiError';
    this.code = code;
    this.status = options.status ?? ERROR_STATUS[code];
    this.issues = options.issues;
    this.requestId = options.requestId;
  }

  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        status: this.status,
        ...(this.requestId ? { requestId: this.requestId } : {}),
        ...(this.issues ? { issues: this.issues } : {}),
      },
    };
  }

  static fromBody(body: ErrorBody): ApiError {
    const e = body.error;
    return new ApiError(e.code, e.message, {
      status: e.status,
      ...(e.issues ? { issues: e.issues } : {}),
      ...(e.requestId ? { requestId: e.requestId } : {}),
    });
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

/** Turns zod issues into `where: what` pairs, prefixed with the request part (`query`, `body`). */
export function issuesFromZod(error: z.ZodError, prefix?: string): ErrorIssue[] {
  return error.issues.map((issue) => {
    const parts = [...(prefix ? [prefix] : []), ...issue.path.map(String)];
    return { path: parts.join('.') || '(root)', message: issue.message };
  });
}
