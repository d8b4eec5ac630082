import { describe, expect, it } from 'vitest';
import { SseParser } from '@aiplat/api';

const STREAM =
  ': a comment\n' + 'data: {"a":"é"}\n\n' + 'event: ping\r\ndata: one\r\ndata: two\r\n\r\n' + 'id: 3\rdata: [DONE]\r\r';

describe('the SSE parser', () => {
  it('reads the same events wherever the bytes are split (UTF-8, CRLF, CR)', () => {
    const bytes = new TextEncoder().encode(STREAM);
    for (let size = 1; size <= bytes.length; size++) {
      const parser = new SseParser();
      const events: string[] = [];
      for (let i = 0; i < bytes.length; i += size) events.push(...parser.push(bytes.slice(i, i + size)));
      events.push(...parser.end());
      expect(events, `split every ${size} bytes`).toEqual(['{"a":"é"}', 'one\ntwo', '[DONE]']);
    }
  });

  it('gives an event as soon as its blank line arrives, and an unclosed one at the end', () => {
    const parser = new SseParser();
    expect(parser.push('data: first\n')).toEqual([]);
    expect(parser.push('\ndata: second')).toEqual(['first']);
    expect(parser.end()).toEqual(['second']);
  });
});

const CHAT_STREAM =
  ': a comment\r\n' +
  'data: {"choices":[{"delta":{"content":"你好"}}]}\n\n' +
  'event: ignored\ndata: {"choices":[{"delta":{"content":" world"}}]}\r\n\r\n' +
  'data: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}\r\r' +
  'data: line one\ndata: line two\n\n' +
  'data: [DONE]\n\n';

const CHAT_EVENTS = [
  '{"choices":[{"delta":{"content":"你好"}}]}',
  '{"choices":[{"delta":{"content":" world"}}]}',
  '{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}',
  'line one\nline two',
  '[DONE]',
];

describe('the SSE parser on an OpenAI chat stream', () => {
  it('reads the same events however the bytes are split (inside UTF-8 characters and CRLF too)', () => {
    const bytes = new TextEncoder().encode(CHAT_STREAM);
    for (let size = 1; size <= bytes.length; size += size < 8 ? 1 : 7) {
      const parser = new SseParser();
      const events: string[] = [];
      for (let i = 0; i < bytes.length; i += size) events.push(...parser.push(bytes.slice(i, i + size)));
      events.push(...parser.end());
      expect(events, `chunks of ${size}`).toEqual(CHAT_EVENTS);
    }
  });
});
