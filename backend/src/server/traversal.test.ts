import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHostileFixture, HOSTILE_PATHS, type HostileFixture } from '../../../testing/src/backend/hostilePaths.js';
import { startPlatform, TOKENS, type PlatformFixture } from '../../../testing/src/backend/platformFixture.js';

const run = promisify(execFile);
let f: PlatformFixture;
let hostile: HostileFixture;

beforeAll(async () => {
  f = await startPlatform();
  hostile = await createHostileFixture(f.workRoot, 'alice');
});
afterAll(() => f.close());

const q = (p: string) => encodeURIComponent(p);
const json = { 'content-type': 'application/json' };

/** Every route that takes a path, read and write, with the hostile path in each position. */
const attacks: [string, (p: string) => [string, RequestInit]][] = [
  ['list', (p) => [`/api/files?path=${q(p)}`, {}]],
  ['stat', (p) => [`/api/files/stat?path=${q(p)}`, {}]],
  ['download', (p) => [`/api/files/content?path=${q(p)}`, {}]],
  ['preview', (p) => [`/api/files/preview?path=${q(p)}`, {}]],
  [
    'upload',
    (p) => [
      `/api/files/content?path=${q(p)}&overwrite=true`,
      { method: 'PUT', body: 'pwned', headers: { 'content-type': 'application/octet-stream' } },
    ],
  ],
  [
    'mkdir',
    (p) => ['/api/files/mkdir', { method: 'POST', headers: json, body: JSON.stringify({ path: p, parents: true }) }],
  ],
  [
    'rename-from',
    (p) => [
      '/api/files/rename',
      { method: 'POST', headers: json, body: JSON.stringify({ from: p, to: 'home/stolen', overwrite: true }) },
    ],
  ],
  [
    'rename-to',
    (p) => [
      '/api/files/rename',
      { method: 'POST', headers: json, body: JSON.stringify({ from: 'home/notes.txt', to: p, overwrite: true }) },
    ],
  ],
  ['delete', (p) => [`/api/files?path=${q(p)}&recursive=true`, { method: 'DELETE' }]],
];

describe('confinement over HTTP: the hostile corpus against every path-taking route', () => {
  it(`refuses all ${HOSTILE_PATHS.length} hostile paths on all ${attacks.length} operations`, async () => {
    expect(HOSTILE_PATHS.length).toBeGreaterThanOrEqual(50);
    const leaks: string[] = [];
    for (const hostilePath of HOSTILE_PATHS) {
      for (const [operation, build] of attacks) {
        const [url, init] = build(hostilePath.path);
        const response = await f.fetch(url, init);
        const body = await response.text();
        if (
          ![400, 403, 404].includes(response.status) ||
          body.includes(hostile.canaryContent) ||
          body.includes('secret of another user')
        ) {
          leaks.push(
            `${operation} ${JSON.stringify(hostilePath.path)} (${hostilePath.why}) → ${response.status} ${body.slice(0, 120)}`,
          );
        }
      }
    }
    expect(leaks).toEqual([]);
    expect(await readFile(hostile.canaryPath, 'utf8')).toBe(hostile.canaryContent);
    expect(await readdir(hostile.outsideDir)).toEqual(['canary.txt']);
    expect(await readFile(path.join(hostile.otherHome, 'secret.txt'), 'utf8')).toBe('secret of another user');
    expect(await readFile(path.join(f.workRoot, 'home', 'alice', 'notes.txt'), 'utf8')).toBe('notes');
  });

  it('refuses writes to mount on every write route', async () => {
    const statuses = [];
    for (const [operation, build] of attacks.slice(4)) {
      const target = operation === 'rename-from' ? 'mount/models' : 'mount/new-thing';
      const [url, init] = build(target);
      const response = await f.fetch(url, init);
      statuses.push([operation, response.status, ((await response.json()) as { error: { code: string } }).error.code]);
    }
    expect(statuses).toEqual([
      ['upload', 403, 'read_only'],
      ['mkdir', 403, 'read_only'],
      ['rename-from', 403, 'read_only'],
      ['rename-to', 403, 'read_only'],
      ['delete', 403, 'read_only'],
    ]);
  });

  it('is not fooled by raw, unnormalised URLs (curl --path-as-is)', async () => {
    const raw = [
      '/api/files/../../../../etc/passwd',
      '/api/files/content/../../../../etc/passwd',
      '/api/files/content?path=home/../../../../etc/passwd',
      '/api/files/content?path=home/..%2f..%2f..%2fetc%2fpasswd',
      '/api/files/content?path=%2fetc%2fpasswd',
      '/api/files/content?path=home%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/api/files/content?path=home/%252e%252e/%252e%252e/etc/passwd',
      '/api/files/content?path=home/a%00.txt',
      '/api/files/content?path=home/escape-file',
      '/api/files/content?path=home/escape-dir/canary.txt',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/api/files/content?path=home&path=../../etc/passwd',
    ];
    for (const url of raw) {
      const { stdout } = await run('curl', [
        '-s',
        '--path-as-is',
        '-H',
        `Authorization: Bearer ${TOKENS.alice}`,
        '-w',
        '\n%{http_code}',
        f.baseUrl + url,
      ]);
      const status = Number(stdout.slice(stdout.lastIndexOf('\n') + 1));
      expect([400, 403, 404], `${url} → ${stdout}`).toContain(status);
      expect(stdout).not.toContain('root:');
      expect(stdout).not.toContain(hostile.canaryContent);
    }
  });
});
