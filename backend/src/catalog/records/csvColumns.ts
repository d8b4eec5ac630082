import type { AnnotationType } from '@aiplat/api';
import { CONVERSATION_SHAPE } from './conversationRule.js';
import { INSTRUCTION_SHAPE, QA_SHAPE, RANKING_SHAPE } from './rules.js';

type Checked = Exclude<AnnotationType, 'none'>;

/** One column of each group must be in a CSV/TSV header (a group lists a column's accepted names). */
const REQUIRED_COLUMNS: Readonly<Record<Exclude<Checked, 'conversation'>, readonly (readonly string[])[]>> = {
  instruction: [['instruction'], ['output']],
  qa: [['Query'], ['Answer']],
  ranking: [['prompt', 'instruction', 'query'], ['chosen'], ['rejected']],
};

const SHAPES: Readonly<Record<Checked, string>> = {
  instruction: INSTRUCTION_SHAPE,
  qa: QA_SHAPE,
  ranking: RANKING_SHAPE,
  conversation: CONVERSATION_SHAPE,
};

function quoted(names: readonly string[]): string {
  return names.map((n) => `"${n}"`).join(' or ');
}

/**
 * What is wrong with a CSV/TSV header row for `annotationType`, or undefined. Names must match
 * exactly, as 慧聚 writes them (`Query`, not `query`); a column differing only in case or
 * surrounding spaces is named in the message.
 */
export function headerProblem(annotationType: Checked, header: readonly string[]): string | undefined {
  if (annotationType === 'conversation') {
    return `a table cannot hold conversation turns; use JSONL or JSON: ${CONVERSATION_SHAPE}`;
  }
  const issues: string[] = [];
  for (const group of REQUIRED_COLUMNS[annotationType]) {
    if (group.some((name) => header.includes(name))) continue;
    const wanted = new Set(group.map((n) => n.toLowerCase()));
    const near = header.find((column) => wanted.has(column.trim().toLowerCase()));
    issues.push(
      near !== undefined
        ? `the header has "${near}" where ${quoted(group)} is expected (column names are case-sensitive)`
        : `the header has no ${quoted(group)} column`,
    );
  }
  if (issues.length === 0) return undefined;
  const columns = header.length ? header.map((c) => `"${c}"`).join(', ') : 'none';
  return `${issues.join('; ')} (columns: ${columns}); ${SHAPES[annotationType]}`;
}
