import { JobSpecSchema } from '@aiplat/api';
import { z } from 'zod';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * The JSON schema of job.yaml, generated from the contract's `JobSpecSchema` (the one generator:
 * `npm run build` writes it to `schemas/job.schema.json`, which is not checked in). Draft 7, which
 * both VS Code's JSON service and the YAML extension read. Two adjustments for editors:
 * - objects the contract checks strictly (unknown fields are refused by name) say
 *   `additionalProperties: false`, so the editor flags a typo where the server would;
 * - Unicode property patterns (`\p{L}` in job names) are dropped: editors compile patterns without
 *   the `u` flag and would refuse every name. The server still checks them.
 */
export function jobJsonSchema(): Record<string, Json> {
  const schema = z.toJSONSchema(JobSpecSchema, { io: 'input', target: 'draft-7', unrepresentable: 'any' }) as Json;
  const adjusted = adjust(schema) as Record<string, Json>;
  return {
    ...adjusted,
    title: 'AI Platform job.yaml',
    description: 'A training job: name, mode, command, nodes and resources. See docs/user-guide-training.md.',
  };
}

function adjust(node: Json): Json {
  if (Array.isArray(node)) return node.map(adjust);
  if (node === null || typeof node !== 'object') return node;
  const out: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'pattern' && typeof value === 'string' && value.includes('\\p{')) continue;
    out[key] = adjust(value);
  }
  const additional = out.additionalProperties;
  const isLooseObject =
    out.type === 'object' &&
    typeof out.properties === 'object' &&
    additional !== null &&
    typeof additional === 'object' &&
    !Array.isArray(additional) &&
    Object.keys(additional).length === 0;
  if (isLooseObject) out.additionalProperties = false;
  return out;
}
