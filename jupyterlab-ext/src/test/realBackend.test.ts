import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRealBackend, type RealBackend } from '../../../testing/src/realBackend.js';

let backend: RealBackend;
beforeAll(async () => {
  backend = await startRealBackend();
});
afterAll(() => backend?.close());

describe('the real backend for the extension’s tests', () => {
  it('serves the files written under its work root to its user', async () => {
    await backend.writeFile('home/alice/a.txt', 'hello');
    const listing = await backend.client().listFiles({ query: { path: 'home' } });
    expect(JSON.stringify(listing)).toContain('a.txt');
  });
});
