import { dumpYaml } from '@kubernetes/client-node';
import { parse } from 'yaml';

/*
 * What the API server silently dropped or changed of an object: it prunes fields a CRD's schema
 * does not know (a warning at most), so "accepted" alone does not prove a field arrived. Compares
 * what was sent with what the server answered (a create, or a create with dryRun=All); fields the
 * server added (defaults, metadata) are fine, and so is a zero value left out (Go's `omitempty`:
 * `initialDelaySeconds: 0` comes back absent). A Secret's `stringData` is write-only: the server
 * moves it into `data`, so compare those keys separately. Quantities in core kinds are rewritten to
 * canonical form (`0.5` → `500m`): send them canonical, or expect them here.
 */

function zero(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0;
  if (value !== null && typeof value === 'object') return Object.keys(value).length === 0;
  return value === 0 || value === false || value === '';
}

/** `path: what happened` for each value of `sent` that `stored` lacks or holds differently. */
export function droppedFields(sent: unknown, stored: unknown, at = ''): string[] {
  if (sent === null || typeof sent !== 'object') {
    return sent === stored ? [] : [`${at || '/'}: sent ${JSON.stringify(sent)}, stored ${JSON.stringify(stored)}`];
  }
  if (stored === null || typeof stored !== 'object' || Array.isArray(sent) !== Array.isArray(stored)) {
    return [`${at || '/'}: sent ${Array.isArray(sent) ? 'a list' : 'an object'}, stored ${JSON.stringify(stored)}`];
  }
  const entries: [string, unknown][] = Array.isArray(sent)
    ? sent.map((value, index) => [String(index), value])
    : Object.entries(sent).filter(([, value]) => value !== undefined);
  return entries.flatMap(([key, value]) => {
    if (key in stored) return droppedFields(value, (stored as Record<string, unknown>)[key], `${at}/${key}`);
    return zero(value) ? [] : [`${at}/${key}: dropped`];
  });
}

/**
 * An object the client returned, in the API's own field names: the client's models rename some
 * (`from` → `_from`, `x-kubernetes-validations` → `x_kubernetes_validations`), so compare this with
 * what was sent, not the model.
 */
export function wireForm(object: unknown): unknown {
  return parse(dumpYaml(object)) as unknown;
}
