import { groupKindOf, groupResourceOf, type ResourceType } from './resources.js';

/* The `Status` objects a real API server answers errors with, and an Error that carries one. */

export interface StatusCause {
  reason?: string;
  message: string;
  field?: string;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: { name?: string; group?: string; kind?: string; uid?: string; causes?: StatusCause[] };
  code: number;
}

export class ApiError extends Error {
  constructor(readonly status: Status) {
    super(status.message);
  }
}

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  410: 'Expired',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

export function failure(
  code: number,
  message: string,
  reason = REASONS[code] ?? '',
  details?: Status['details'],
): Status {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    details: details ?? {},
    code,
  };
}

function resourceDetails(type: ResourceType, name: string): Status['details'] {
  return type.group === '' ? { name, kind: type.plural } : { name, group: type.group, kind: type.plural };
}

export const apiErrors = {
  notFound: (type: ResourceType, name: string) =>
    new ApiError(failure(404, `${groupResourceOf(type)} "${name}" not found`, 'NotFound', resourceDetails(type, name))),
  alreadyExists: (type: ResourceType, name: string) =>
    new ApiError(
      failure(409, `${groupResourceOf(type)} "${name}" already exists`, 'AlreadyExists', resourceDetails(type, name)),
    ),
  conflict: (
    type: ResourceType,
    name: string,
    why = 'the object has been modified; please apply your changes to the latest version and try again',
  ) =>
    new ApiError(
      failure(
        409,
        `Operation cannot be fulfilled on ${groupResourceOf(type)} "${name}": ${why}`,
        'Conflict',
        resourceDetails(type, name),
      ),
    ),
  invalid: (type: ResourceType, name: string, causes: StatusCause[]) => {
    const listed = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
    const summary = listed.length === 1 ? listed[0] : `[${listed.join(', ')}]`;
    const details = { name, ...(type.group === '' ? {} : { group: type.group }), kind: type.kind, causes };
    return new ApiError(failure(422, `${groupKindOf(type)} "${name}" is invalid: ${summary}`, 'Invalid', details));
  },
  badRequest: (message: string) => new ApiError(failure(400, message)),
  methodNotAllowed: () => new ApiError(failure(405, 'the server does not allow this method on the requested resource')),
  /** What a real server answers for a path no handler serves (an uninstalled CRD's group, say). */
  pathNotFound: () => new ApiError(failure(404, 'the server could not find the requested resource', 'NotFound')),
  expired: (message: string) => new ApiError(failure(410, message, 'Expired')),
};
