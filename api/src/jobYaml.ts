import type { z } from 'zod';
import { Document, isMap, isScalar, LineCounter, parseDocument, Scalar, type Node } from 'yaml';
import type { ErrorIssue } from './errors.js';
import type { CreateJobBody } from './schemas/jobRequests.js';
import { JOB_LIMITS } from './schemas/jobLimits.js';
import { isStackOverflow, NESTS_TOO_DEEPLY, PROTO_KEY_MESSAGE, protoKeyPaths } from './schemas/documentShape.js';
import { JobSpecSchema, type JobSpec } from './schemas/jobSpec.js';

/**
 * job.yaml: the JobSpec as a file users keep in their repositories. Everything that accepts a spec
 * (API, CLI, both extensions) reads it with `parseJobYaml` and writes it with `jobSpecToYaml`.
 */

export type JobYamlResult = { spec: JobSpec } | { errors: ErrorIssue[] };

const ROOT = '(root)';

/** Parses and validates a job.yaml. Issue paths are relative to the spec (`resources.cpu`). */
export function parseJobYaml(text: string): JobYamlResult {
  return parseSpecYaml(text, JobSpecSchema, 'a job needs at least name, mode, command and resources');
}

/**
 * A spec file (job.yaml, service.yaml) parsed and validated by its schema: syntax errors and schema
 * issues with their line numbers, paths relative to the spec.
 */
export function parseSpecYaml<S extends z.ZodType>(
  text: string,
  schema: S,
  needs: string,
): { spec: z.output<S> } | { errors: ErrorIssue[] } {
  if (text.length > JOB_LIMITS.yamlChars) {
    return { errors: [{ path: ROOT, message: `the file is longer than ${JOB_LIMITS.yamlChars} characters` }] };
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      errors: unique(
        doc.errors.map((error) => {
          const { line, col } = lineCounter.linePos(error.pos[0]);
          if (isStackOverflow(error)) return { path: ROOT, message: `${NESTS_TOO_DEEPLY} (line ${line})` };
          return {
            path: ROOT,
            message: `YAML syntax error at line ${line}, column ${col}: ${firstLine(error.message)}`,
          };
        }),
      ),
    };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    if (isStackOverflow(error)) return { errors: [{ path: ROOT, message: NESTS_TOO_DEEPLY }] };
    return {
      errors: [{ path: ROOT, message: `YAML error: ${error instanceof Error ? error.message : String(error)}` }],
    };
  }
  if (value === null || value === undefined) {
    return {
      errors: [{ path: ROOT, message: `the file is empty: ${needs}` }],
    };
  }
  const protoKeys = protoKeyPaths(value).map((path) => ({ path, message: PROTO_KEY_MESSAGE }));
  const parsed = schema.safeParse(value);
  if (parsed.success && protoKeys.length === 0) return { spec: parsed.data };
  return {
    errors: [...protoKeys, ...(parsed.error?.issues ?? [])].map((issue) => {
      const path = issue.path.map(String);
      const line = lineOf(doc, lineCounter, issue.path);
      return {
        path: path.join('.') || ROOT,
        message: line === undefined ? issue.message : `${issue.message} (line ${line})`,
      };
    }),
  };
}

/** Issues without repeats (a parser out of stack reports it once per level it unwinds). */
function unique(issues: ErrorIssue[]): ErrorIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => !seen.has(`${i.path}\n${i.message}`) && seen.add(`${i.path}\n${i.message}`));
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

/** The line of the node at `path`, when the file has one there. */
function lineOf(doc: Document, lineCounter: LineCounter, path: readonly PropertyKey[]): number | undefined {
  if (path.length === 0) return undefined;
  const node = doc.getIn(path as unknown[], true) as Node | undefined;
  const offset = node?.range?.[0];
  return offset === undefined ? undefined : lineCounter.linePos(offset).line;
}

/**
 * Issues found in the spec of a job.yaml after parsing (a server's checks: an unknown queue, a
 * missing workingDir, a job that can never fit), worded as `parseJobYaml` words its own: each
 * path under `from` (`body.spec.queue`) moves under `to` (`body.yaml.queue`), with the field's
 * line when the file has it. Other issues are kept as they are.
 */
export function issuesInJobYaml(text: string, issues: readonly ErrorIssue[], from: string, to: string): ErrorIssue[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  return issues.map((issue) => {
    if (issue.path !== from && !issue.path.startsWith(`${from}.`)) return issue;
    const rest = issue.path.slice(from.length + 1);
    const line = rest ? lineOf(doc, lineCounter, rest.split('.')) : undefined;
    return {
      path: rest ? `${to}.${rest}` : to,
      message: line === undefined ? issue.message : `${issue.message} (line ${line})`,
    };
  });
}

/**
 * The spec of a create request: `spec` as given, or `yaml` parsed, its issues under `yaml.`
 * (the server prefixes `body.`).
 */
export function specFromCreateBody(body: CreateJobBody): JobYamlResult {
  if (body.spec !== undefined) return { spec: body.spec };
  const result = parseJobYaml(body.yaml ?? '');
  if ('spec' in result) return result;
  return {
    errors: result.errors.map((e) => ({ path: e.path === ROOT ? 'yaml' : `yaml.${e.path}`, message: e.message })),
  };
}

/** Fields in the order of the issue's job.yaml; empty maps and unset optionals left out. */
function ordered(spec: JobSpec): Record<string, unknown> {
  const out: Record<string, unknown> = { name: spec.name };
  if (spec.description !== undefined) out.description = spec.description;
  if (Object.keys(spec.tags).length > 0) out.tags = spec.tags;
  out.mode = spec.mode;
  out.command = spec.command;
  out.workingDir = spec.workingDir;
  if (spec.image !== undefined) out.image = spec.image;
  if (spec.engine !== undefined) out.engine = spec.engine;
  switch (spec.mode) {
    case 'ddp':
    case 'mpi':
    case 'horovod':
    case 'deepspeed':
      out.nodes = spec.nodes;
      out.resources = spec.resources;
      break;
    case 'ps-worker':
      out.ps = spec.ps;
      out.workers = spec.workers;
      out.resources = spec.resources;
      if (spec.psResources !== undefined) out.psResources = spec.psResources;
      break;
    case 'ray':
      out.head = spec.head;
      if (spec.workerGroups.length > 0) out.workerGroups = spec.workerGroups;
      break;
  }
  if (Object.keys(spec.env).length > 0) out.env = spec.env;
  if (Object.keys(spec.hyperparameters).length > 0) out.hyperparameters = spec.hyperparameters;
  out.autoRestart = spec.autoRestart;
  out.priority = spec.priority;
  out.queue = spec.queue;
  return out;
}

/** Writes every `resources` map on one line, as the issue's example does. */
function flowResources(node: unknown): void {
  if (!isMap(node)) return;
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? pair.key.value : pair.key;
    if ((key === 'resources' || key === 'psResources') && isMap(pair.value)) pair.value.flow = true;
    else if (isMap(pair.value)) flowResources(pair.value);
    else if (pair.value && typeof pair.value === 'object' && 'items' in pair.value) {
      for (const item of (pair.value as { items: unknown[] }).items) flowResources(item);
    }
  }
}

/** A job.yaml for `spec`, in the issue's layout; `parseJobYaml` reads it back to the same spec. */
export function jobSpecToYaml(spec: JobSpec): string {
  const doc = new Document(ordered(spec));
  const command = doc.get('command', true);
  if (isScalar(command) && spec.command.includes('\n')) command.type = Scalar.BLOCK_LITERAL;
  flowResources(doc.contents);
  return doc.toString({ lineWidth: 0 });
}
