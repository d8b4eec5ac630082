import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { ApiError } from '@aiplat/api';

const BEARER_REALM = 'aiplat';

/** Errors that body parsers and Node raise, turned into the contract's codes. */
function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const e = err as { type?: string; status?: number; message?: string; code?: string };
  if (e?.type === 'entity.parse.failed')
    return new ApiError('bad_request', `request body is not valid JSON: ${e.message ?? ''}`.trim());
  if (e?.type === 'entity.too.large')
    return new ApiError('payload_too_large', 'request body is too large for a JSON request');
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported')
    return new ApiError('unsupported_media_type', e.message ?? 'unsupported encoding');
  if (e?.code === 'EACCES' || e?.code === 'EPERM')
    return new ApiError('forbidden', 'the server has no permission for that file');
  if (e?.code === 'ENOSPC') return new ApiError('unavailable', 'the disk is full');
  if (e?.code === 'ENAMETOOLONG') return new ApiError('bad_request', 'a file name in the path is too long');
  return new ApiError('internal', 'internal error; the server log has the details under this request id');
}

export function errorMapping(rootLog: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const apiError = toApiError(err);
    const requestId = res.locals.requestId as string | undefined;
    const log = (res.locals.log as Logger | undefined) ?? rootLog;
    if (apiError.status >= 500) log.error({ err }, 'request failed');
    else log.debug({ code: apiError.code, msg: apiError.message }, 'request refused');
    if (res.headersSent) {
      // A stream broke half-way: the status is gone, so cut the connection rather than lie.
      res.destroy();
      return;
    }
    // RFC 6750: a 401 names the scheme the client should authenticate with.
    if (apiError.status === 401) res.setHeader('www-authenticate', `Bearer realm="${BEARER_REALM}"`);
    const body = new ApiError(apiError.code, apiError.message, {
      status: apiError.status,
      ...(apiError.issues ? { issues: apiError.issues } : {}),
      ...(requestId ? { requestId } : {}),
    }).toBody();
    res.status(apiError.status).json(body);
  };
}
