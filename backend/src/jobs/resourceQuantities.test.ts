import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBodySchema, issuesFromZod, JobSpecSchema, parseJobYaml } from '@aiplat/api';
import { startPlatform, type PlatformFixture } from '../../../testing/src/backend/platformFixture.js';

/*
 * Every resource quantity is refused unless the scheduler can count it exactly: CPU in millicores,
 * memory in bytes, a share of an accelerator in tenths. Nothing rounds to a zero request.
 */

const base = { name: 'floors', mode: 'ddp', command: 'true' };

function issuesOf(input: unknown) {
  const result = JobSpecSchema.safeParse(input);
  return result.success ? [] : issuesFromZod(result.error);
}

const yamlOf = (resources: string) => `name: floors\nmode: ddp\ncommand: "true"\nresources: ${resources}\n`;

describe('resource quantities in a JSON spec', () => {
  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ['cpu 5e-324', { cpu: 5e-324, memory: '1Gi' }, 'resources.cpu', /multiple of 0\.001 CPU \(1 millicore\)/],
    ['cpu 1e-10', { cpu: 1e-10, memory: '1Gi' }, 'resources.cpu', /at least 0\.001/],
    ['cpu 0.0005', { cpu: 0.0005, memory: '1Gi' }, 'resources.cpu', /multiple of 0\.001/],
    ['cpu 1.0000001', { cpu: 1.0000001, memory: '1Gi' }, 'resources.cpu', /multiple of 0\.001/],
    ['memory 0', { cpu: 1, memory: 0 }, 'resources.memory', /below 1M/],
    ['memory "0"', { cpu: 1, memory: '0' }, 'resources.memory', /below 1M/],
    ['memory 5e-324', { cpu: 1, memory: 5e-324 }, 'resources.memory', /below 1M/],
    ['a fractional byte count', { cpu: 1, memory: 1073741824.5 }, 'resources.memory', /whole number of bytes/],
    ['a quantity that is not whole bytes', { cpu: 1, memory: '1.1Mi' }, 'resources.memory', /whole number of bytes/],
    ['"1073741824.5"', { cpu: 1, memory: '1073741824.5' }, 'resources.memory', /whole number of bytes/],
    [
      'a GPU share of 0.25',
      { cpu: 1, memory: '1Gi', accelerator: { type: 'nvidia', count: 0.25 } },
      'resources.accelerator.count',
      /tenths/,
    ],
    [
      'a GPU share of 0.55',
      { cpu: 1, memory: '1Gi', accelerator: { type: 'nvidia', count: 0.55 } },
      'resources.accelerator.count',
      /tenths/,
    ],
  ])('refuses %s, naming the field', (_label, resources, path, message) => {
    const issues = issuesOf({ ...base, resources });
    expect(issues.map((i) => i.path)).toContain(path);
    expect(issues.find((i) => i.path === path)?.message).toMatch(message);
  });

  it.each<[string, unknown]>([
    [
      'psResources',
      { ...base, mode: 'ps-worker', resources: { cpu: 1, memory: '1Gi' }, psResources: { cpu: 1e-9, memory: '1Gi' } },
    ],
    ['head.resources', { ...base, mode: 'ray', head: { resources: { cpu: 1e-9, memory: '1Gi' } } }],
    [
      'workerGroups.0.resources',
      {
        ...base,
        mode: 'ray',
        head: { resources: { cpu: 1, memory: '1Gi' } },
        workerGroups: [{ name: 'w', resources: { cpu: 1e-9, memory: '1Gi' } }],
      },
    ],
  ])('refuses a near-zero cpu in %s', (field, input) => {
    expect(issuesOf(input).map((i) => i.path)).toContain(`${field}.cpu`);
  });

  it.each<[string, Record<string, unknown>]>([
    ['cpu 0.001', { cpu: 0.001, memory: '1Gi' }],
    ['cpu 2.125', { cpu: 2.125, memory: '1Gi' }],
    ['memory 1.5Gi', { cpu: 1, memory: '1.5Gi' }],
    ['memory 1.5Mi', { cpu: 1, memory: '1.5Mi' }],
    ['memory 1.1G', { cpu: 1, memory: '1.1G' }],
    ['memory 0.5Gi', { cpu: 1, memory: '.5Gi' }],
    ['memory 1000000 bytes', { cpu: 1, memory: 1_000_000 }],
    ['a GPU share of 0.3', { cpu: 1, memory: '1Gi', accelerator: { type: 'nvidia', count: 0.3 } }],
    ['a GPU share of 0.5', { cpu: 1, memory: '1Gi', accelerator: { type: 'nvidia', count: 0.5 } }],
  ])('accepts %s', (_label, resources) => {
    expect(issuesOf({ ...base, resources })).toEqual([]);
  });
});

describe('resource quantities in a job.yaml', () => {
  it.each<[string, string, string, RegExp]>([
    ['cpu 0.0000000001', '{ cpu: 0.0000000001, memory: 1Gi }', 'resources.cpu', /1 millicore.*\(line 4\)$/],
    ['memory 0', '{ cpu: 1, memory: 0 }', 'resources.memory', /below 1M/],
    ['memory 0.1', '{ cpu: 1, memory: 0.1 }', 'resources.memory', /below 1M/],
    ['memory 1.1Mi', '{ cpu: 1, memory: 1.1Mi }', 'resources.memory', /whole number of bytes/],
    [
      'a GPU share of 0.25',
      '{ cpu: 1, memory: 1Gi, accelerator: { type: nvidia, count: 0.25 } }',
      'resources.accelerator.count',
      /tenths/,
    ],
  ])('refuses %s, naming the field and its line', (_label, resources, path, message) => {
    const result = parseJobYaml(yamlOf(resources));
    expect('errors' in result).toBe(true);
    const errors = 'errors' in result ? result.errors : [];
    expect(errors.find((e) => e.path === path)?.message).toMatch(message);
  });
});

describe('resource quantities over HTTP', () => {
  let f: PlatformFixture;
  beforeAll(async () => {
    f = await startPlatform();
  });
  afterAll(() => f.close());

  async function create(body: unknown) {
    const response = await f.fetch('/api/jobs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, error: ErrorBodySchema.parse(await response.json()).error };
  }

  it('answers a near-zero cpu in JSON with a 400 naming body.spec.resources.cpu', async () => {
    // 5e-324 written out as JSON text: the smallest positive double.
    const { status, error } = await create(
      `{"spec":{"name":"floors","mode":"ddp","command":"true","resources":{"cpu":5e-324,"memory":"1Gi"}}}`,
    );
    expect(status).toBe(400);
    expect(error.issues?.map((i) => i.path)).toContain('body.spec.resources.cpu');
    expect(error.message).toMatch(/1 millicore/);
  });

  it('answers a near-zero cpu in job.yaml with a 400 naming body.yaml.resources.cpu', async () => {
    const { status, error } = await create({ yaml: yamlOf('{ cpu: 0.0000000001, memory: 1Gi }') });
    expect(status).toBe(400);
    expect(error.issues?.map((i) => i.path)).toContain('body.yaml.resources.cpu');
  });

  it('answers a share of 0.25 and a fractional byte count with 400s naming the field', async () => {
    const share = await create({
      spec: { ...base, resources: { cpu: 1, memory: '1Gi', accelerator: { type: 'nvidia', count: 0.25 } } },
    });
    expect(share.status).toBe(400);
    expect(share.error.issues?.map((i) => i.path)).toContain('body.spec.resources.accelerator.count');
    const bytes = await create({ spec: { ...base, resources: { cpu: 1, memory: 1073741824.5 } } });
    expect(bytes.status).toBe(400);
    expect(bytes.error.issues?.map((i) => i.path)).toContain('body.spec.resources.memory');
  });
});
