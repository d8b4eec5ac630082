import { classifyRecord } from '../../workspace/previews/recordFormat.js';
import { describe, isObject, Issues, keysOf } from './fields.js';

export const CONVERSATION_SHAPE =
  'a conversation record is {messages: [{role, content}, …]} (OpenAI) or {conversations: [{from, value}, …]} (ShareGPT)';

const OPENAI_ROLES = ['system', 'user', 'assistant', 'tool'];

/** ShareGPT speakers (LLaMA-Factory's tags plus the OpenAI names some exports use) by the side they speak for. */
const SHAREGPT_SIDES: Readonly<Record<string, 'user' | 'assistant' | 'other'>> = {
  human: 'user',
  user: 'user',
  gpt: 'assistant',
  assistant: 'assistant',
  function_call: 'assistant',
  system: 'other',
  observation: 'other',
  tool: 'other',
};

/** Turn problems listed in one message at most; the rest are counted. */
const MAX_TURN_ISSUES = 3;

interface TurnSpec {
  list: 'messages' | 'conversations';
  speaker: 'role' | 'from';
  text: 'content' | 'value';
  expected: string;
  /** The side a speaker is on, or undefined for an unknown speaker. */
  sideOf(speaker: string): 'user' | 'assistant' | 'other' | undefined;
}

const OPENAI: TurnSpec = {
  list: 'messages',
  speaker: 'role',
  text: 'content',
  expected: OPENAI_ROLES.join(', '),
  sideOf: (role) =>
    role === 'user' || role === 'assistant' ? role : OPENAI_ROLES.includes(role) ? 'other' : undefined,
};

const SHAREGPT: TurnSpec = {
  list: 'conversations',
  speaker: 'from',
  text: 'value',
  expected: Object.keys(SHAREGPT_SIDES).join(', '),
  sideOf: (from) => (Object.hasOwn(SHAREGPT_SIDES, from) ? SHAREGPT_SIDES[from] : undefined),
};

function checkTurns(record: Record<string, unknown>, spec: TurnSpec, issues: Issues): void {
  const turns = record[spec.list];
  if (!Array.isArray(turns) || turns.length === 0) {
    issues.shape(`${spec.list} is ${describe(turns)}, not a list of {${spec.speaker}, ${spec.text}} turns`);
    return;
  }
  const turnIssues: string[] = [];
  const sides = new Set<string>();
  turns.forEach((turn: unknown, i) => {
    const at = `${spec.list}[${i}]`;
    if (!isObject(turn)) {
      turnIssues.push(`${at} is ${describe(turn)}, not {${spec.speaker}, ${spec.text}}`);
      return;
    }
    const speaker = turn[spec.speaker];
    const side = typeof speaker === 'string' ? spec.sideOf(speaker) : undefined;
    if (side === undefined) {
      const found = typeof speaker === 'string' ? `"${speaker}"` : describe(speaker);
      turnIssues.push(`${at}.${spec.speaker} is ${found}, not one of ${spec.expected}`);
      return;
    }
    sides.add(side);
    const text = turn[spec.text];
    // An OpenAI assistant turn that calls tools may have no content.
    const callsTools = spec === OPENAI && speaker === 'assistant' && Array.isArray(turn.tool_calls);
    if (typeof text !== 'string') {
      if (!(callsTools && (text === null || text === undefined))) {
        turnIssues.push(`${at}.${spec.text} is ${describe(text)}, not a string`);
      }
    } else if (text.trim() === '' && side !== 'other' && !callsTools) {
      turnIssues.push(`${at}.${spec.text} is empty`);
    }
  });
  for (const message of turnIssues.slice(0, MAX_TURN_ISSUES)) issues.value(message);
  if (turnIssues.length > MAX_TURN_ISSUES)
    issues.value(`and ${turnIssues.length - MAX_TURN_ISSUES} more turn problems`);
  if (turnIssues.length === 0) {
    if (!sides.has('user')) issues.value('has no user turn');
    if (!sides.has('assistant')) issues.value('has no assistant turn');
  }
}

/** OpenAI chat messages or ShareGPT conversations, with at least one user and one assistant turn. */
export function conversationRule(record: unknown): string | undefined {
  const issues = new Issues();
  if (!isObject(record)) {
    issues.shape(`is ${describe(record)}`);
  } else if ('messages' in record) {
    checkTurns(record, OPENAI, issues);
  } else if ('conversations' in record) {
    checkTurns(record, SHAREGPT, issues);
  } else if (classifyRecord(record) === 'instruction') {
    issues.shape(`has ${'instruction' in record ? 'instruction/output' : 'prompt/completion'} (an instruction record)`);
  } else {
    issues.shape(`has ${keysOf(record)}`);
  }
  return issues.message(CONVERSATION_SHAPE);
}
