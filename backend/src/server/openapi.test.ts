import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildOpenApiDocument, JobSchema, JobSpecSchema, type RouteDef } from '@aiplat/api';

interface Doc {
  paths: Record<string, Record<string, { requestBody: { content: Record<string, { schema: unknown }> } }>>;
  components: { schemas: Record<string, unknown> };
}

describe('OpenAPI generation', () => {
  it('names the input and output forms of one schema apart, so neither overwrites the other', async () => {
    const table: Record<string, RouteDef> = {
      createJob: {
        method: 'post',
        path: '/api/jobs',
        summary: 'Create a job',
        tag: 'jobs',
        transfer: 'json',
        auth: true,
        body: JobSpecSchema,
        response: JobSchema,
      },
    };
    const doc = buildOpenApiDocument('test', table) as unknown as Doc;
    const { schemas } = doc.components;
    expect(schemas.JobSpec).toBeDefined();
    expect(schemas.JobSpecInput).toBeDefined();
    // Defaulted fields (priority, queue…) are required in answers and optional in requests.
    expect(JSON.stringify(schemas.JobSpec)).not.toEqual(JSON.stringify(schemas.JobSpecInput));
    expect(doc.paths['/api/jobs']!.post!.requestBody.content['application/json']!.schema).toEqual({
      $ref: '#/components/schemas/JobSpecInput',
    });
    expect(JSON.stringify(schemas.Job)).toContain('"#/components/schemas/JobSpec"');
    expect(JSON.stringify(schemas.Job)).not.toContain('JobSpecInput');
    const result = await new Validator().validate(doc as unknown as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
  });

  it('says in Job and JobDetail that a job in a final state has no ETA', () => {
    const { schemas } = (buildOpenApiDocument() as unknown as Doc).components;
    const rule = {
      if: { properties: { state: { enum: ['Succeeded', 'Failed', 'Stopped'] } }, required: ['state'] },
      then: { properties: { progress: { properties: { etaSeconds: false } } } },
    };
    expect(schemas.Job).toMatchObject(rule);
    expect(schemas.JobDetail).toMatchObject(rule);
  });

  it('builds each document from scratch: no schema leaks from one build into the next', () => {
    const OnlyInTest = z.object({ x: z.string() }).meta({ id: 'OnlyInTest' });
    const testDoc = buildOpenApiDocument('test', {
      probe: { method: 'get', path: '/p', summary: 's', tag: 't', transfer: 'json', auth: true, response: OnlyInTest },
    }) as unknown as Doc;
    expect(testDoc.components.schemas.OnlyInTest).toBeDefined();
    const real = buildOpenApiDocument() as unknown as Doc;
    expect(real.components.schemas.OnlyInTest).toBeUndefined();
    expect(real.components.schemas.Job).toBeDefined();
  });
});
