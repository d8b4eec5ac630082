import { describe, expect, it } from 'vitest';
import { SseParser } from './sseParser.js';

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
