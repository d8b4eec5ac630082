import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { prettyBody, sendTestRequest, testRequestProblem } from '@aiplat/api';

describe('the online test panel’s request', () => {
  it('refuses what cannot be sent as written', () => {
    expect(testRequestProblem({ method: 'POST', path: 'predict', body: '' })).toBe('path');
    expect(testRequestProblem({ method: 'POST', path: '/a b', body: '' })).toBe('path');
    expect(testRequestProblem({ method: 'POST', path: '/predict', body: '{oops' })).toBe('json');
    expect(testRequestProblem({ method: 'GET', path: '/predict', body: '{}' })).toBe('bodyWithGet');
    expect(testRequestProblem({ method: 'POST', path: '/predict?x=1', body: '{"a": 1}' })).toBeUndefined();
  });

  it('sends it with the token and JSON to a real server and reads the answer', async () => {
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ path: req.url, auth: req.headers.authorization, type: req.headers['content-type'], body }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/tiny/`;
      let clock = 100;
      const answer = await sendTestRequest(
        url,
        'tok',
        { method: 'POST', path: '/predict', body: '{"x":1}' },
        { now: () => (clock += 7) },
      );
      expect(answer).toMatchObject({ status: 200, contentType: 'application/json', truncated: false, elapsedMs: 7 });
      expect(JSON.parse(answer.body)).toEqual({
        path: '/services/tiny/predict',
        auth: 'Bearer tok',
        type: 'application/json',
        body: '{"x":1}',
      });
      expect(prettyBody('{"a":1}', answer.contentType)).toBe('{\n  "a": 1\n}');
      expect(prettyBody('plain', 'text/plain')).toBe('plain');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
