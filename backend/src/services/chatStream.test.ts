import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readChatChunk, ServiceCallError, streamChat } from '@aiplat/api';

const chunk = (content: string) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content } }] })}\n\n`;

describe('reading a chat completion stream', () => {
  it('takes each chunk’s delta, the final usage and [DONE]', () => {
    expect(readChatChunk('{"choices":[{"delta":{"role":"assistant"}}]}')).toEqual({ text: '', done: false });
    expect(readChatChunk('{"choices":[{"delta":{"content":"Hel"}}]}')).toEqual({ text: 'Hel', done: false });
    expect(readChatChunk('{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}')).toEqual({
      text: '',
      done: false,
      usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
    });
    expect(readChatChunk('{"choices":[{"message":{"content":"whole"}}]}').text).toBe('whole');
    expect(readChatChunk(' [DONE]')).toEqual({ text: '', done: true });
    expect(readChatChunk('not json').text).toBe('');
    expect(() => readChatChunk('{"error":{"message":"overloaded"}}')).toThrow('overloaded');
  });
});

describe('streaming a chat from a real HTTP server', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
    server = createServer(handler);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/chat/`;
  }

  it('hands each delta on as it arrives, before the stream ends, with the usage at the end', async () => {
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    let request: { body: unknown; authorization?: string; path?: string } = { body: undefined };
    const url = await serve((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        request = { body: JSON.parse(body), authorization: req.headers.authorization, path: req.url };
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(chunk('Hel'));
        // The rest only once the client has shown the first delta: it reads as the body arrives.
        void released.then(() => {
          res.write(chunk('lo, 世界'));
          res.write(
            `data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 4, completion_tokens: 3, total_tokens: 7 } })}\n\n`,
          );
          res.end('data: [DONE]\n\n');
        });
      });
    });
    const deltas: string[] = [];
    const result = await streamChat({
      serviceUrl: url,
      token: 'tok',
      messages: [{ role: 'user', content: 'hi' }],
      onDelta: (text) => {
        deltas.push(text);
        release();
      },
    });
    expect(deltas).toEqual(['Hel', 'lo, 世界']);
    expect(result).toEqual({ text: 'Hello, 世界', usage: { prompt_tokens: 4, completion_tokens: 3, total_tokens: 7 } });
    expect(request).toEqual({
      path: '/services/chat/v1/chat/completions',
      authorization: 'Bearer tok',
      body: { messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } },
    });
  });

  it('reads a server that ignored stream (one JSON answer), and says why a call was refused', async () => {
    let status = 200;
    const url = await serve((_req, res) => {
      if (status !== 200) {
        res.writeHead(status, { 'content-type': 'application/json' }).end('{"reason":"missing_credentials"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ choices: [{ message: { content: 'all at once' } }], usage: { total_tokens: 9 } }));
    });
    const deltas: string[] = [];
    expect(
      await streamChat({ serviceUrl: url, token: undefined, messages: [], onDelta: (t) => deltas.push(t) }),
    ).toEqual({ text: 'all at once', usage: { total_tokens: 9 } });
    status = 401;
    const refused = await streamChat({
      serviceUrl: url,
      token: undefined,
      messages: [],
      onDelta: () => undefined,
    }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ServiceCallError);
    expect((refused as ServiceCallError).status).toBe(401);
    expect((refused as ServiceCallError).message).toBe('401 Unauthorized: {"reason":"missing_credentials"}');
  });
});
