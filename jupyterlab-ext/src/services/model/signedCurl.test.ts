import { createHmac } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { AppKey } from '@aiplat/api';
import { curlAppKeys, signedCurl } from './signedCurl.js';

const boundKey = (id: string, enabled: boolean): AppKey => ({
  appKey: id,
  owner: 'dev',
  services: ['tiny'],
  enabled,
  createdAt: '2026-12-06T19:00:00Z',
});

describe('the signed curl command', () => {
  it('carries the AppKey, the timestamp and the 慧聚 signature of them, ready to paste', async () => {
    const appKey = 'ak-0123456789abcdef';
    const appSecret = "s3cr'et-密钥";
    const now = 1_700_000_000_123;
    const command = await signedCurl({
      serviceUrl: 'http://server:8080/services/tiny/',
      path: 'predict',
      appKey,
      appSecret,
      body: ' {"text": "it\'s"} ',
      now,
    });
    const sign = createHmac('sha1', appSecret).update(`${appKey}${appSecret}${now}`, 'utf8').digest('hex');
    expect(command).toBe(
      `curl 'http://server:8080/services/tiny/predict' -H 'AppKey: ${appKey}' -H 'Timestamp: ${now}' ` +
        `-H 'Sign: ${sign}' -H 'Content-Type: application/json' -d '{"text": "it'\\''s"}'`,
    );
    // The shell reads it back as the arguments meant (quotes included).
    const args = execFileSync('sh', ['-c', `printf '%s\\n' ${command.slice('curl '.length)}`], { encoding: 'utf8' });
    expect(args.trim().split('\n')).toEqual([
      'http://server:8080/services/tiny/predict',
      '-H',
      `AppKey: ${appKey}`,
      '-H',
      `Timestamp: ${now}`,
      '-H',
      `Sign: ${sign}`,
      '-H',
      'Content-Type: application/json',
      '-d',
      `{"text": "it's"}`,
    ]);
  });

  it('leaves the body out when there is none', async () => {
    const command = await signedCurl({
      serviceUrl: 'http://s/services/a/',
      path: '/healthz',
      appKey: 'ak-0000000000000000',
      appSecret: 'x',
      body: '',
      now: 5,
    });
    expect(command).not.toContain('-d');
    expect(command.startsWith("curl 'http://s/services/a/healthz'")).toBe(true);
  });
});

describe('the signed curl command for a path with spaces and non-ASCII', () => {
  it('percent-encodes the URL as curl needs it, keeping what was already encoded', async () => {
    const command = await signedCurl({
      serviceUrl: 'http://s/services/hello/',
      path: 'stats/a b?q=a b&x=ü&y=%41',
      appKey: 'ak-0000000000000000',
      appSecret: 'x',
      body: '',
      now: 5,
    });
    expect(command.startsWith("curl 'http://s/services/hello/stats/a%20b?q=a%20b&x=%C3%BC&y=%41'")).toBe(true);
  });

  it('offers only enabled AppKeys, and says when every one is disabled', () => {
    const on = boundKey('ak-on', true);
    const off = boundKey('ak-off', false);
    expect(curlAppKeys([], '')).toEqual({ kind: 'none' });
    expect(curlAppKeys([off], 'ak-off')).toEqual({ kind: 'all-disabled' });
    expect(curlAppKeys([off, on], '')).toEqual({ kind: 'offered', keys: [on], chosen: 'ak-on' });
    // A key picked before it was disabled is no longer the one used.
    expect(curlAppKeys([off, on], 'ak-off')).toEqual({ kind: 'offered', keys: [on], chosen: 'ak-on' });
    const other = boundKey('ak-other', true);
    expect(curlAppKeys([on, other], 'ak-other')).toMatchObject({ chosen: 'ak-other' });
  });
});
