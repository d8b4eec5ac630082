import { ApiError, apiErrors, failure } from './apiErrors.js';
import { isRecord } from './kubeObject.js';

/*
 * The three patch types the client sends. A strategic merge patch is applied as a JSON merge patch:
 * the same for maps, but lists are replaced whole rather than merged by key.
 */

export const PATCH_TYPES = [
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/json-patch+json',
] as const;

/** RFC 7386: objects merge key by key, null deletes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new Error(`invalid JSON pointer: ${path}`);
  return path
    .slice(1)
    .split('/')
    .map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~'));
}

type Container = Record<string, unknown> | unknown[];

/** The parent of the pointed-at location and the last token. */
function locate(document: unknown, path: string): [Container, string] {
  const tokens = pointer(path);
  const last = tokens.pop();
  if (last === undefined) throw new Error('the root cannot be the target of this operation');
  let node = document;
  for (const token of tokens) {
    node = Array.isArray(node) ? node[Number(token)] : isRecord(node) ? node[token] : undefined;
    if (node === undefined) throw new Error(`doc is missing path: ${path}`);
  }
  if (!Array.isArray(node) && !isRecord(node)) throw new Error(`doc is missing path: ${path}`);
  return [node, last];
}

function read(document: unknown, path: string): unknown {
  if (path === '') return document;
  const [parent, key] = locate(document, path);
  const value = Array.isArray(parent) ? parent[Number(key)] : parent[key];
  if (value === undefined) throw new Error(`doc is missing path: ${path}`);
  return value;
}

function add(document: unknown, path: string, value: unknown): void {
  const [parent, key] = locate(document, path);
  if (!Array.isArray(parent)) {
    parent[key] = value;
    return;
  }
  const index = key === '-' ? parent.length : Number(key);
  if (!Number.isInteger(index) || index < 0 || index > parent.length) throw new Error(`index out of bounds: ${path}`);
  parent.splice(index, 0, value);
}

function remove(document: unknown, path: string): unknown {
  const value = read(document, path);
  const [parent, key] = locate(document, path);
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else delete parent[key];
  return value;
}

function applyOperation(document: unknown, operation: Operation): unknown {
  const { op, path } = operation;
  if (path === '' && (op === 'add' || op === 'replace')) return structuredClone(operation.value);
  switch (op) {
    case 'add':
      add(document, path, structuredClone(operation.value));
      break;
    case 'remove':
      remove(document, path);
      break;
    case 'replace':
      remove(document, path);
      add(document, path, structuredClone(operation.value));
      break;
    case 'move':
      add(document, path, remove(document, operation.from ?? ''));
      break;
    case 'copy':
      add(document, path, structuredClone(read(document, operation.from ?? '')));
      break;
    case 'test':
      if (JSON.stringify(read(document, path)) !== JSON.stringify(operation.value)) {
        throw new Error(`testing value ${path} failed`);
      }
      break;
    default:
      throw new Error(`unexpected kind: ${op}`);
  }
  return document;
}

/** RFC 6902 on a copy of `target`. A malformed patch is a 400, one that does not apply a 422. */
export function jsonPatch(target: unknown, patch: unknown): unknown {
  if (
    !Array.isArray(patch) ||
    !patch.every((op) => isRecord(op) && typeof op.op === 'string' && typeof op.path === 'string')
  ) {
    throw apiErrors.badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  }
  let document = structuredClone(target);
  try {
    for (const operation of patch as Operation[]) document = applyOperation(document, operation);
  } catch (error) {
    throw new ApiError(failure(422, (error as Error).message, 'Invalid'));
  }
  return document;
}

/** Applies `patch` of `contentType` to a copy of `target`. */
export function applyPatch(target: unknown, contentType: string, patch: unknown): unknown {
  switch (contentType) {
    case 'application/json-patch+json':
      return jsonPatch(target, patch);
    case 'application/merge-patch+json':
    case 'application/strategic-merge-patch+json':
      if (!isRecord(patch))
        throw apiErrors.badRequest('json: cannot unmarshal array into Go value of type map[string]interface {}');
      return mergePatch(target, patch);
    default:
      throw new ApiError(
        failure(
          415,
          `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.join(', ')}`,
        ),
      );
  }
}
