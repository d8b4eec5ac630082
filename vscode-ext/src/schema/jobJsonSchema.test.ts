import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { jobJsonSchema } from './jobJsonSchema.js';

const GENERATED = fileURLToPath(new URL('../../schemas/job.schema.json', import.meta.url));

interface Branch {
  properties: Record<string, { enum?: string[]; const?: string; pattern?: string }>;
  required: string[];
  additionalProperties: unknown;
}

describe('job.yaml JSON schema', () => {
  const schema = jobJsonSchema() as unknown as { $schema: string; definitions: Record<string, { oneOf?: Branch[] }> };
  const branches = schema.definitions.JobSpec?.oneOf ?? [];

  it('is draft 7 with one branch per mode family, each with the required fields', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(branches).toHaveLength(3);
    const modes = branches.flatMap((b) => b.properties.mode?.enum ?? [b.properties.mode?.const]);
    expect(modes.sort()).toEqual(['ddp', 'deepspeed', 'horovod', 'mpi', 'ps-worker', 'ray']);
    for (const branch of branches) {
      expect(branch.required).toEqual(expect.arrayContaining(['name', 'command', 'mode']));
      expect(branch.additionalProperties).toBe(false);
    }
  });

  it('drops the Unicode property patterns editors cannot compile', () => {
    expect(JSON.stringify(schema)).not.toContain('\\\\p{');
    expect(branches[0]?.properties.name?.pattern).toBeUndefined();
  });

  it('is what the build wrote to schemas/job.schema.json (when built)', () => {
    if (!existsSync(GENERATED)) return;
    expect(JSON.parse(readFileSync(GENERATED, 'utf8'))).toEqual(schema);
  });
});
