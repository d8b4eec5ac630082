import { describe, expect, it } from 'vitest';
import { CONVERSATION_SHAPE } from './conversationRule.js';
import { INSTRUCTION_SHAPE, QA_SHAPE, RANKING_SHAPE, ruleFor, type RecordRule } from './rules.js';

function rule(type: 'instruction' | 'conversation' | 'qa' | 'ranking'): RecordRule {
  const found = ruleFor(type);
  if (!found) throw new Error(`no rule for ${type}`);
  return found;
}

describe('instruction records', () => {
  const check = rule('instruction');

  it('accepts instruction and output with input a string, empty or missing', () => {
    expect(check({ instruction: '翻译', input: 'hello', output: '你好' })).toBeUndefined();
    expect(check({ instruction: 'Say hi', input: '', output: 'hi' })).toBeUndefined();
    expect(check({ instruction: 'Say hi', output: 'hi' })).toBeUndefined();
    expect(check({ instruction: 'Say hi', input: null, output: 'hi' })).toBeUndefined();
  });

  it('says what was found when the record has another layout', () => {
    expect(check({ prompt: 'a', completion: 'b' })).toBe(`has prompt/completion; ${INSTRUCTION_SHAPE}`);
    expect(check({ messages: [{ role: 'user', content: 'hi' }] })).toBe(
      `is a conversation record (messages); ${INSTRUCTION_SHAPE}`,
    );
    expect(check({ question: 'a', answer: 'b' })).toBe(`has keys question, answer; ${INSTRUCTION_SHAPE}`);
    expect(check(['a', 'b'])).toBe(`is an array; ${INSTRUCTION_SHAPE}`);
  });

  it('names each bad field, adding the shape only when the layout is wrong', () => {
    expect(check({ instruction: ' ', output: '' })).toBe('instruction is empty; output is empty');
    expect(check({ instruction: 'a', input: 3, output: 'b' })).toBe(
      `input is a number, not a string; ${INSTRUCTION_SHAPE}`,
    );
    expect(check({ instruction: 'a' })).toBe(`output is missing; ${INSTRUCTION_SHAPE}`);
    expect(check({ Instruction: 'a', output: 'b' })).toBe(
      `has "Instruction" where "instruction" is expected (names are case-sensitive); ${INSTRUCTION_SHAPE}`,
    );
  });
});

describe('conversation records', () => {
  const check = rule('conversation');

  it('accepts OpenAI messages and ShareGPT conversations with a user and an assistant turn', () => {
    expect(
      check({
        messages: [
          { role: 'system', content: '' },
          { role: 'user', content: '你好' },
          { role: 'assistant', content: null, tool_calls: [{ id: 'c1' }] },
          { role: 'tool', content: '{}' },
          { role: 'assistant', content: '好的' },
        ],
      }),
    ).toBeUndefined();
    expect(
      check({
        conversations: [
          { from: 'human', value: 'hi' },
          { from: 'gpt', value: 'hello' },
        ],
      }),
    ).toBeUndefined();
  });

  it('names the bad turns', () => {
    expect(
      check({
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'bot', content: 'hello' },
        ],
      }),
    ).toBe('messages[1].role is "bot", not one of system, user, assistant, tool');
    expect(
      check({
        conversations: [
          { from: 'human', value: 'hi' },
          { from: 'gpt', value: 7 },
        ],
      }),
    ).toBe(`conversations[1].value is a number, not a string`);
    expect(
      check({
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'assistant', content: '  ' },
        ],
      }),
    ).toBe('messages[1].content is empty');
  });

  it('needs both sides of the conversation', () => {
    expect(check({ messages: [{ role: 'user', content: 'hi' }] })).toBe('has no assistant turn');
    expect(check({ conversations: [{ from: 'gpt', value: 'hi' }] })).toBe('has no user turn');
  });

  it('lists at most three turn problems', () => {
    const messages = Array.from({ length: 5 }, () => ({ role: 'robot', content: 'x' }));
    const message = check({ messages }) ?? '';
    expect(message.split('; ')).toHaveLength(4);
    expect(message).toMatch(/and 2 more turn problems$/);
  });

  it('says what was found when the record is not a conversation', () => {
    expect(check({ messages: [] })).toBe(
      `messages is an array, not a list of {role, content} turns; ${CONVERSATION_SHAPE}`,
    );
    expect(check({ instruction: 'a', output: 'b' })).toBe(
      `has instruction/output (an instruction record); ${CONVERSATION_SHAPE}`,
    );
    expect(check({ text: 'a' })).toBe(`has keys text; ${CONVERSATION_SHAPE}`);
  });
});

describe('Q&A records', () => {
  const check = rule('qa');

  it('accepts Query and Answer with the optional columns', () => {
    expect(check({ Query: '如何开户', Answer: '带身份证到营业厅' })).toBeUndefined();
    expect(
      check({ text: 't', Query: 'q', Answer: 'a', Match: null, File: 'f.pdf', 'Similar-Question': ['q1', 'q2'] }),
    ).toBeUndefined();
    expect(check({ Query: 'q', Answer: 'a', 'Similar-Question': 'q1' })).toBeUndefined();
  });

  it('is case-sensitive and says so', () => {
    expect(check({ query: 'q', Answer: 'a' })).toBe(
      `has "query" where "Query" is expected (names are case-sensitive); ${QA_SHAPE}`,
    );
  });

  it('rejects empty answers and a bad Similar-Question', () => {
    expect(check({ Query: 'q', Answer: '' })).toBe('Answer is empty');
    expect(check({ instruction: 'q', output: 'a' })).toBe(`has keys instruction, output; ${QA_SHAPE}`);
    expect(check({ Query: 'q', Answer: 'a', 'Similar-Question': [1] })).toBe(
      `Similar-Question[0] is a number, not a string; ${QA_SHAPE}`,
    );
    expect(check({ Query: 'q', 'Similar-Question': 5 })).toBe(
      `Answer is missing; Similar-Question is a number, not a string or a list of strings; ${QA_SHAPE}`,
    );
  });
});

describe('ranking records', () => {
  const check = rule('ranking');

  it('accepts a prompt with ordered answers, or chosen and rejected', () => {
    expect(check({ prompt: 'p', answers: ['best', 'worse', 'worst'] })).toBeUndefined();
    expect(check({ query: 'p', answers: ['a', 'b'] })).toBeUndefined();
    expect(check({ instruction: 'p', input: '', chosen: 'good', rejected: 'bad' })).toBeUndefined();
  });

  it('says the expected shape when the layout is wrong', () => {
    expect(check({ prompt: 'p', answers: ['only'] })).toBe(`answers has 1; ranking needs 2 or more; ${RANKING_SHAPE}`);
    expect(check({ prompt: 'p', response: 'r' })).toBe(
      `has neither answers nor chosen/rejected (keys prompt, response); ${RANKING_SHAPE}`,
    );
    expect(check({ answers: ['a', 'b'] })).toBe(`prompt is missing; ${RANKING_SHAPE}`);
    expect(check({ prompt: 'p', chosen: 'c' })).toBe(`rejected is missing; ${RANKING_SHAPE}`);
  });

  it('rejects empty answers and a pair that is no preference', () => {
    expect(check({ prompt: 'p', answers: ['a', ''] })).toBe('answers[1] is empty');
    expect(check({ prompt: 'p', chosen: 'same', rejected: 'same' })).toBe('chosen and rejected are the same text');
  });
});

it('has no rule for annotation type none', () => {
  expect(ruleFor('none')).toBeUndefined();
});
