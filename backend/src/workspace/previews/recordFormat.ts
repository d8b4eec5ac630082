import type { RecordFormat } from '@aiplat/api';

/**
 * Recognises fine-tuning record layouts:
 * - `instruction`: `{instruction, input?, output}` (Alpaca and friends) or `{prompt, completion}`;
 * - `conversation`: `{messages: [{role, content}]}` (OpenAI chat) or
 *   `{conversations: [{from, value}]}` (ShareGPT);
 * - anything else is `generic`.
 */

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isTurnList(value: unknown, speaker: string, text: string): boolean {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((turn) => isRecord(turn) && typeof turn[speaker] === 'string' && text in turn)
  );
}

export function classifyRecord(record: unknown): RecordFormat {
  if (!isRecord(record)) return 'generic';
  if (isTurnList(record.messages, 'role', 'content') || isTurnList(record.conversations, 'from', 'value'))
    return 'conversation';
  if (('instruction' in record && 'output' in record) || ('prompt' in record && 'completion' in record))
    return 'instruction';
  return 'generic';
}

/** The layout most records follow (a tie, or no records, is `generic`). */
export function detectRecordFormat(records: readonly unknown[]): RecordFormat {
  const counts: Record<RecordFormat, number> = { instruction: 0, conversation: 0, generic: 0 };
  for (const record of records) counts[classifyRecord(record)]++;
  if (counts.instruction > counts.conversation && counts.instruction > counts.generic) return 'instruction';
  if (counts.conversation > counts.instruction && counts.conversation > counts.generic) return 'conversation';
  return 'generic';
}

/** Keys of the object records, in first-seen order. */
export function collectFields(records: readonly unknown[]): string[] {
  const fields = new Set<string>();
  for (const record of records) {
    if (isRecord(record)) for (const key of Object.keys(record)) fields.add(key);
  }
  return [...fields];
}
