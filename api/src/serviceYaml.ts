import { isScalar, LineCounter, parseDocument, Scalar } from 'yaml';
import type { ErrorIssue } from './errors.js';
import { parseSpecYaml } from './jobYaml.js';
import {
  ServiceSpecSchema,
  ServiceVersionSpecSchema,
  type ServiceSpec,
  type ServiceVersionSpec,
} from './schemas/services.js';

/** service.yaml: a ServiceSpec as a file (`aiplat service deploy -f service.yaml`). */
export function parseServiceYaml(text: string): { spec: ServiceSpec } | { errors: ErrorIssue[] } {
  const result = parseSpecYaml(
    text,
    ServiceSpecSchema,
    'a service needs at least name and version (model, command, resources)',
  );
  return 'errors' in result ? { errors: requirementLines(text, result.errors, ['version', 'requirements']) } : result;
}

/** A version's file (`aiplat service update NAME -f version.yaml`): what `version:` holds in service.yaml. */
export function parseServiceVersionYaml(text: string): { spec: ServiceVersionSpec } | { errors: ErrorIssue[] } {
  const result = parseSpecYaml(text, ServiceVersionSpecSchema, 'a version needs at least model, command and resources');
  return 'errors' in result ? { errors: requirementLines(text, result.errors, ['requirements']) } : result;
}

const REQUIREMENT_ISSUE = /^line (\d+): (.*) \(line (\d+)\)$/s;

/**
 * The schema words a bad requirements line by its line within `requirements` ("line 2: ..."), and
 * the file reader adds the field's line: "line 2: ... (line 6)" names two different lines. Here the
 * issue says which requirement it is and the file line it is on when `requirements` is a literal
 * block (`requirements: |`, whose lines are the file's lines), else the field's line.
 */
function requirementLines(text: string, errors: ErrorIssue[], path: string[]): ErrorIssue[] {
  const lineCounter = new LineCounter();
  const node = parseDocument(text, { lineCounter, uniqueKeys: true }).getIn(path, true);
  const blockStart =
    isScalar(node) && node.type === Scalar.BLOCK_LITERAL && node.range
      ? lineCounter.linePos(node.range[0]).line
      : undefined;
  return errors.map((issue) => {
    const match = issue.path === path.join('.') ? REQUIREMENT_ISSUE.exec(issue.message) : null;
    if (!match) return issue;
    const within = Number(match[1]);
    const line = blockStart === undefined ? Number(match[3]) : blockStart + within;
    return { path: issue.path, message: `requirements line ${within}: ${match[2]} (line ${line})` };
  });
}
