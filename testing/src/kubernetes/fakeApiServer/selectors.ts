import { apiErrors } from './apiErrors.js';
import type { KubeObject } from './kubeObject.js';

/*
 * Label and field selectors as the API server parses them (`labelSelector=app=x,tier!=db,env in
 * (a,b),!legacy`, `fieldSelector=metadata.name=x`). A selector it cannot parse is a 400.
 */

export type ObjectFilter = (object: KubeObject) => boolean;

/** Splits on commas outside parentheses. */
function requirements(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of selector) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts.map((part) => part.trim()).filter((part) => part !== '');
}

type LabelTest = (labels: Record<string, string>) => boolean;

function labelRequirement(text: string): LabelTest {
  const set = /^([^\s!=(),]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(text);
  if (set) {
    const [, key = '', operator, list = ''] = set;
    const values = new Set(list.split(',').map((value) => value.trim()));
    return operator === 'in'
      ? (labels) => key in labels && values.has(labels[key] ?? '')
      : (labels) => !(key in labels) || !values.has(labels[key] ?? '');
  }
  const comparison = /^([^\s!=(),]+)\s*(!=|==|=)\s*([^\s!=(),]*)$/.exec(text);
  if (comparison) {
    const [, key = '', operator, value] = comparison;
    return operator === '!=' ? (labels) => labels[key] !== value : (labels) => labels[key] === value;
  }
  const absent = /^!\s*([^\s!=(),]+)$/.exec(text);
  if (absent) return (labels) => !(absent[1]! in labels);
  if (/^[^\s!=(),]+$/.test(text)) return (labels) => text in labels;
  throw apiErrors.badRequest(`unable to parse requirement: found '${text}', expected: in, notin, =, ==, !=, gt, lt`);
}

export function labelSelector(selector: string | undefined): ObjectFilter {
  const tests = requirements(selector ?? '').map(labelRequirement);
  return (object) => tests.every((test) => test(object.metadata.labels ?? {}));
}

/** The field labels a real server supports for every kind, plus a few per kind that our engine uses. */
const FIELD_LABELS: Record<string, string[]> = {
  '*': ['metadata.name', 'metadata.namespace'],
  Pod: ['status.phase', 'spec.nodeName', 'spec.restartPolicy'],
  Event: [
    'involvedObject.kind',
    'involvedObject.name',
    'involvedObject.namespace',
    'involvedObject.uid',
    'reason',
    'type',
  ],
};

function fieldValue(object: KubeObject, path: string): string {
  let value: unknown = object;
  for (const step of path.split('.')) value = (value as Record<string, unknown> | undefined)?.[step];
  return value === undefined || value === null ? '' : String(value as string);
}

export function fieldSelector(selector: string | undefined, kind: string): ObjectFilter {
  const supported = new Set([...FIELD_LABELS['*']!, ...(FIELD_LABELS[kind] ?? [])]);
  const tests = requirements(selector ?? '').map((text) => {
    const match = /^([^!=]+)(!=|==|=)(.*)$/.exec(text);
    if (!match) throw apiErrors.badRequest(`invalid selector: '${selector}'; can't understand '${text}'`);
    const [, field = '', operator, value] = match;
    if (!supported.has(field)) throw apiErrors.badRequest(`field label not supported: ${field}`);
    return operator === '!='
      ? (object: KubeObject) => fieldValue(object, field) !== value
      : (object: KubeObject) => fieldValue(object, field) === value;
  });
  return (object) => tests.every((test) => test(object));
}
