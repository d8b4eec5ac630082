import type { AnnotationType } from '@aiplat/api';
import { classifyRecord } from '../../workspace/previews/recordFormat.js';
import { conversationRule } from './conversationRule.js';
import { describe, isObject, Issues, keysOf, nearMiss, optionalText, requireText } from './fields.js';

/** What is wrong with one record, or undefined when it fits its annotation type. */
export type RecordRule = (record: unknown) => string | undefined;

export const INSTRUCTION_SHAPE = 'an instruction record is {instruction, input, output} (input may be empty)';
export const QA_SHAPE = 'a Q&A record has Query and Answer (text, Match, File, Similar-Question are optional)';
export const RANKING_SHAPE =
  'a ranking record is {prompt, answers: [best, …, worst]} (2 or more answers) or {prompt, chosen, rejected}; ' +
  'prompt may be named instruction or query';

/** Names a record's layout when it is another annotation type's, to say what was found. */
function otherLayout(record: Record<string, unknown>): string {
  if (classifyRecord(record) === 'conversation')
    return `is a conversation record (${'messages' in record ? 'messages' : 'conversations'})`;
  if ('prompt' in record && 'completion' in record) return 'has prompt/completion';
  return `has ${keysOf(record)}`;
}

/** 慧聚's instruction layout: instruction and output non-empty; input a string when present. */
function instructionRule(record: unknown): string | undefined {
  const issues = new Issues();
  if (!isObject(record)) issues.shape(`is ${describe(record)}`);
  else if (!('instruction' in record) && !('output' in record)) issues.shape(otherLayout(record));
  else {
    requireText(issues, record, 'instruction');
    optionalText(issues, record, 'input');
    requireText(issues, record, 'output');
  }
  return issues.message(INSTRUCTION_SHAPE);
}

/** 慧聚's Q&A columns: Query and Answer non-empty (case-sensitive); Similar-Question a string or strings. */
function qaRule(record: unknown): string | undefined {
  const issues = new Issues();
  if (!isObject(record)) {
    issues.shape(`is ${describe(record)}`);
    return issues.message(QA_SHAPE);
  }
  if (!['Query', 'Answer'].some((name) => name in record || nearMiss(record, name) !== undefined)) {
    issues.shape(otherLayout(record));
    return issues.message(QA_SHAPE);
  }
  requireText(issues, record, 'Query');
  requireText(issues, record, 'Answer');
  for (const name of ['text', 'Match', 'File']) optionalText(issues, record, name);
  const similar = record['Similar-Question'];
  if (Array.isArray(similar)) {
    const bad = similar.findIndex((s) => typeof s !== 'string');
    if (bad >= 0) issues.shape(`Similar-Question[${bad}] is ${describe(similar[bad])}, not a string`);
  } else if (similar !== undefined && similar !== null && typeof similar !== 'string') {
    issues.shape(`Similar-Question is ${describe(similar)}, not a string or a list of strings`);
  }
  return issues.message(QA_SHAPE);
}

const PROMPT_NAMES = ['prompt', 'instruction', 'query'] as const;

/**
 * Ranking (preference) records. The rule: a prompt — `prompt`, or else `instruction` (with an
 * optional `input`, as LLaMA-Factory's Alpaca-style preference data has) or `query` — and then
 * either `answers`, two or more non-empty strings ordered best first (慧聚's ranking), or `chosen`
 * and `rejected`, two different non-empty strings (DPO). `answers` wins when both are present.
 */
function rankingRule(record: unknown): string | undefined {
  const issues = new Issues();
  if (!isObject(record)) {
    issues.shape(`is ${describe(record)}`);
    return issues.message(RANKING_SHAPE);
  }
  const promptName = PROMPT_NAMES.find((name) => name in record);
  if (promptName) requireText(issues, record, promptName);
  else issues.shape('prompt is missing');
  if (promptName === 'instruction') optionalText(issues, record, 'input');

  if ('answers' in record) {
    const answers = record.answers;
    if (!Array.isArray(answers)) issues.shape(`answers is ${describe(answers)}, not a list`);
    else if (answers.length < 2) issues.shape(`answers has ${answers.length}; ranking needs 2 or more`);
    else {
      const bad = answers.findIndex((a) => typeof a !== 'string');
      if (bad >= 0) issues.shape(`answers[${bad}] is ${describe(answers[bad])}, not a string`);
      const empty = answers.findIndex((a) => typeof a === 'string' && a.trim() === '');
      if (empty >= 0) issues.value(`answers[${empty}] is empty`);
    }
  } else if ('chosen' in record || 'rejected' in record) {
    requireText(issues, record, 'chosen');
    requireText(issues, record, 'rejected');
    const { chosen, rejected } = record;
    if (typeof chosen === 'string' && chosen.trim() !== '' && chosen === rejected) {
      issues.value('chosen and rejected are the same text');
    }
  } else {
    issues.shape(`has neither answers nor chosen/rejected (${keysOf(record)})`);
  }
  return issues.message(RANKING_SHAPE);
}

/** The rule for an annotation type; `none` has none (records are only counted). */
export function ruleFor(annotationType: AnnotationType): RecordRule | undefined {
  switch (annotationType) {
    case 'instruction':
      return instructionRule;
    case 'conversation':
      return conversationRule;
    case 'qa':
      return qaRule;
    case 'ranking':
      return rankingRule;
    case 'none':
      return undefined;
  }
}
