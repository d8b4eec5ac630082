import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readChunk, streamChat } from './chatStream.js';
import { SseParser } from './sseParser.js';

const STREAM =
  ': a comment\r\n' +
  'data: {"choices":[{"delta":{"content":"你好"}}]}\n\n' +
  'event: ignored\ndata: {"choices":[{"delta":{"content":" world"}}]}\r\n\r\n' +
  'data: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}\r\r' +
  'data: line one\ndata: line two\n\n' +
  'data: [DONE]\n\n';

const EXPECTED = [
  '{"choices":[{"delta":{"content":"你好"}}]}',
  '{"choices":[{"delta":{"content":" world"}}]}',
  '{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}',
  'line one\nline two',
  '[DONE]',
];

describe('SseParser', () => {
  it('reads the same events however the bytes are split (inside UTF-8 characters and CRLF too)', () => {
    const bytes = new TextEncoder().encode(STREAM);
    for (let size = 1; size <= bytes.length; size += size < 8 ? 1 : 7) {
      const parser = new SseParser();
      const events: string[] = [];
      for (let i = 0; i < bytes.length; i += size) events.push(...parser.push(bytes.slice(i, i + size)));
      events.push(...parser.end());
      expect(events, `chunks of ${size}`).toEqual(EXPECTED);
    }
  });

  it('gives an unterminated last event at the end', () => {
    const parser = new SseParser();
    expect(parser.push('data: a\n\ndata: b')).toEqual(['a']);
    expect(parser.end()).toEqual(['b']);
  });
});

describe('chat chunks', () => {
  it('reads deltas, usage and the end', () => {
    expect(readChunk('{"choices":[{"delta":{"content":"hi"}}]}')).toEqual({ text: 'hi', done: false });
    expect(readChunk('{"choices":[],"usage":{"total_tokens":5}}')).toEqual({
      text: '',
      done: false,
      usage: { total_tokens: 5 },
    });
    expect(readChunk(' [DONE] ')).toEqual({ text: '', done: true });
    expect(readChunk('not json')).toEqual({ text: '', done: false });
    expect(() => readChunk('{"error":{"message":"quota"}}')).toThrow('quota');
  });
});

describe('streamChat over HTTP', () => {
  let server: http.Server;
  let url: string;
  const seen: { authorization?: string; body: unknown }[] = [];
  /** Lets the server write the next chunk once the client has taken the one before. */
  let release: (() => void) | undefined;

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      let body = '';
      request.on('data', (c: Buffer) => (body += c.toString()));
      request.on('end', () => {
        seen.push({ authorization: request.headers.authorization, body: JSON.parse(body) });
        if (request.url === '/services/x/v1/chat/completions' && request.headers.authorization === 'Bearer t') {
          response.writeHead(200, { 'content-type': 'text/event-stream' });
          const chunks = STREAM.match(/[\s\S]{1,9}/g) ?? [];
          const next = () => {
            const chunk = chunks.shift();
            if (chunk === undefined) return void response.end();
            response.write(chunk);
            release = next;
          };
          next();
        } else {
          response.writeHead(401, { 'content-type': 'application/json' });
          response.end('{"reason":"missing_credentials"}');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/x/`;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('hands over each delta as it arrives, then the usage', async () => {
    const deltas: string[] = [];
    const result = await streamChat({
      serviceUrl: url,
      token: 't',
      messages: [{ role: 'user', content: 'hi' }],
      model: 'm',
      // Each chunk arrives only once asked for: deltas come before the stream ends.
      fetch: (async (...args: Parameters<typeof fetch>) => {
        const response = await fetch(...args);
        const reader = response.body!.getReader();
        const body = new ReadableStream<Uint8Array>({
          async pull(controller) {
            release?.();
            const { value, done } = await reader.read();
            if (done) controller.close();
            else controller.enqueue(value);
          },
        });
        return new Response(body, { status: response.status, headers: response.headers });
      }) as typeof fetch,
      onDelta: (text) => deltas.push(text),
    });
    expect(deltas).toEqual(['你好', ' world']);
    expect(result).toEqual({ text: '你好 world', usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } });
    expect(seen.at(-1)).toEqual({
      authorization: 'Bearer t',
      body: {
        model: 'm',
        messages: [{ role: 'user', content: 'hi' }],
        stream: true,
        stream_options: { include_usage: true },
      },
    });
  });

  it('says what the gateway refused', async () => {
    await expect(
      streamChat({ serviceUrl: url, token: undefined, messages: [{ role: 'user', content: 'hi' }], onDelta: () => {} }),
    ).rejects.toThrow('401 Unauthorized: {"reason":"missing_credentials"}');
  });
});
