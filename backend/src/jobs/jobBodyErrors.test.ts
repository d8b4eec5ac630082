import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBodySchema, parseJobYaml } from '@aiplat/api';
import { startPlatform, type PlatformFixture } from '../../../testing/src/backend/platformFixture.js';

/* What a user sees when a create-job body is wrong in ways the field rules do not cover. */

const HEAD = 'name: deep\nmode: ddp\ncommand: "true"\nresources: { cpu: 1, memory: 1Gi }\n';
const DEPTH = 10_000;

let f: PlatformFixture;
beforeAll(async () => {
  f = await startPlatform();
});
afterAll(() => f.close());

async function post(body: string, contentType = 'application/json') {
  const response = await f.fetch('/api/jobs', { method: 'POST', headers: { 'content-type': contentType }, body });
  const text = await response.text();
  return { status: response.status, error: ErrorBodySchema.parse(JSON.parse(text)).error };
}

describe('a document that nests too deeply', () => {
  it('is refused by parseJobYaml saying so, not with a stack overflow', () => {
    const result = parseJobYaml(`${HEAD}hyperparameters: { a: ${'['.repeat(DEPTH)}${']'.repeat(DEPTH)} }\n`);
    expect('errors' in result).toBe(true);
    const messages = 'errors' in result ? result.errors.map((e) => e.message).join('\n') : '';
    expect(messages).toMatch(/nests too deeply/);
    expect(messages).not.toMatch(/call stack/i);
  });

  it('is refused in job.yaml when it nests a little more than allowed, naming the field and line', () => {
    const result = parseJobYaml(`${HEAD}hyperparameters:\n  a: ${'['.repeat(100)}${']'.repeat(100)}\n`);
    const errors = 'errors' in result ? result.errors : [];
    expect(errors).toEqual([
      { path: 'hyperparameters.a', message: expect.stringMatching(/nests too deeply.*\(line 6\)$/) },
    ]);
  });

  it('answers a 10,000-deep job.yaml over HTTP with a 400 that says so', async () => {
    const yaml = `${HEAD}hyperparameters: { a: ${'['.repeat(DEPTH)}${']'.repeat(DEPTH)} }\n`;
    const { status, error } = await post(JSON.stringify({ yaml }));
    expect(status).toBe(400);
    expect(error.message).toMatch(/nests too deeply/);
    expect(error.message).not.toMatch(/call stack/i);
  });

  it('answers a 10,000-deep JSON spec with a 400 naming the field', async () => {
    const spec = `{"name":"deep","mode":"ddp","command":"true","resources":{"cpu":1,"memory":"1Gi"},"hyperparameters":{"a":${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}}}`;
    const { status, error } = await post(`{"spec":${spec}}`);
    expect(status).toBe(400);
    expect(error.issues?.map((i) => i.path)).toEqual(['body.spec.hyperparameters.a']);
    expect(error.message).toMatch(/nests too deeply/);
  });
});

describe('a "__proto__" key', () => {
  it('is an unknown field of a JSON spec: a 400 naming it, at any level', async () => {
    const spec = `{"name":"p","mode":"ddp","command":"true","resources":{"cpu":1,"memory":"1Gi","__proto__":{"gpu":1}},"__proto__":{"x":1}}`;
    const { status, error } = await post(`{"spec":${spec}}`);
    expect(status).toBe(400);
    expect(error.issues?.map((i) => i.path).sort()).toEqual(['body.spec.__proto__', 'body.spec.resources.__proto__']);
    expect(error.issues?.[0]?.message).toMatch(/unknown field "__proto__"/);
  });

  it('is refused even with a value that is not an object', async () => {
    const spec = `{"name":"p","mode":"ddp","command":"true","resources":{"cpu":1,"memory":"1Gi"},"__proto__":5}`;
    const { status, error } = await post(`{"spec":${spec}}`);
    expect(status).toBe(400);
    expect(error.issues?.map((i) => i.path)).toEqual(['body.spec.__proto__']);
  });

  it('is an unknown field of a job.yaml, with its line', () => {
    const result = parseJobYaml(`${HEAD}__proto__: { x: 1 }\n`);
    const errors = 'errors' in result ? result.errors : [];
    expect(errors).toEqual([
      { path: '__proto__', message: expect.stringMatching(/unknown field "__proto__".*\(line 5\)$/) },
    ]);
  });
});

describe('server-side checks of a job.yaml', () => {
  const yaml = (extra: string, resources = '{ cpu: 1, memory: 64Mi }') =>
    `name: lines\nmode: ddp\ncommand: "true"\nresources: ${resources}\n${extra}`;

  it.each<[string, string, string | undefined, string, RegExp]>([
    ['an unknown queue', 'queue: gpu-a100\n', undefined, 'body.yaml.queue', /\(line 5\)$/],
    [
      'a missing workingDir',
      'workingDir: home/nowhere\n',
      undefined,
      'body.yaml.workingDir',
      /does not exist.*\(line 5\)$/,
    ],
    ['a job that can never fit', '', '{ cpu: 1000, memory: 64Mi }', 'body.yaml.resources', /\(line 4\)$/],
  ])('name the YAML field and its line: %s', async (_label, extra, resources, path, message) => {
    const { status, error } = await post(JSON.stringify({ yaml: yaml(extra, resources) }));
    expect(status).toBe(400);
    expect(error.issues?.map((i) => i.path)).toEqual([path]);
    expect(error.issues?.[0]?.message).toMatch(message);
    expect(error.message).toMatch(/\(line \d+\)$/);
  });

  it('keep the spec paths of a job sent as JSON', async () => {
    const spec = {
      name: 'lines',
      mode: 'ddp',
      command: 'true',
      resources: { cpu: 1, memory: '64Mi' },
      queue: 'gpu-a100',
    };
    const { status, error } = await post(JSON.stringify({ spec }));
    expect(status).toBe(400);
    expect(error.issues?.map((i) => i.path)).toEqual(['body.spec.queue']);
  });
});
