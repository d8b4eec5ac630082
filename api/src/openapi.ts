import { z } from 'zod';
import { ErrorBodySchema } from './errors.js';
import { routes, type RouteDef } from './routes.js';
import { API_VERSION } from './version.js';

type JsonSchema = Record<string, unknown>;

type SchemaOf = (schema: z.ZodType, io: 'input' | 'output') => JsonSchema;

/**
 * Converts zod schemas and hoists the named ones (`.meta({ id })`) into `components`. A schema's
 * input form (what a client sends: defaulted fields optional) differs from its output form (what
 * the server answers), so input forms are named `<id>Input` and the two never overwrite each other.
 */
function createConverter(): { components: Record<string, JsonSchema>; schemaOf: SchemaOf } {
  const components: Record<string, JsonSchema> = {};
  const schemaOf: SchemaOf = (schema, io) => {
    const suffix = io === 'input' ? 'Input' : '';
    const converted = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' });
    const json = JSON.parse(
      JSON.stringify(converted).replace(/"#\/\$defs\/([^"]+)"/g, `"#/components/schemas/$1${suffix}"`),
    ) as JsonSchema;
    delete json.$schema;
    const defs = (json.$defs ?? {}) as Record<string, JsonSchema>;
    delete json.$defs;
    for (const [id, def] of Object.entries(defs)) components[id + suffix] = def;
    return json;
  };
  return { components, schemaOf };
}

function parameters(def: RouteDef, schemaOf: SchemaOf) {
  const result: JsonSchema[] = [];
  for (const [where, obj] of [
    ['path', def.params],
    ['query', def.query],
  ] as const) {
    if (!obj) continue;
    for (const [name, field] of Object.entries(obj.shape)) {
      const fieldSchema = field as z.ZodType;
      result.push({
        name,
        in: where,
        required: where === 'path' || !fieldSchema.safeParse(undefined).success,
        schema: schemaOf(fieldSchema, 'input'),
      });
    }
  }
  return result;
}

function successContent(def: RouteDef, schemaOf: SchemaOf): JsonSchema {
  switch (def.transfer) {
    case 'download':
      return { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } };
    case 'text':
      return { 'text/plain': { schema: { type: 'string' } } };
    default:
      return { 'application/json': { schema: schemaOf(def.response, 'output') } };
  }
}

/** The OpenAPI 3.1 document, generated from the route table and its zod schemas. */
export function buildOpenApiDocument(
  serverVersion = API_VERSION,
  table: Readonly<Record<string, RouteDef>> = routes,
): JsonSchema {
  const { components, schemaOf } = createConverter();
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const errorResponse = {
    description: 'Error',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } },
  };
  for (const [operationId, def] of Object.entries(table)) {
    const openApiPath = def.path.replace(/:([A-Za-z_]\w*)/g, '{$1}');
    const operation: JsonSchema = {
      operationId,
      summary: def.summary,
      tags: [def.tag],
      parameters: parameters(def, schemaOf),
      responses: {
        '200': { description: 'OK', content: successContent(def, schemaOf) },
        ...(def.transfer === 'download'
          ? { '206': { description: 'Partial content (Range)', content: successContent(def, schemaOf) } }
          : {}),
        ...(def.auth ? { '401': errorResponse } : {}),
        '400': errorResponse,
        default: errorResponse,
      },
      ...(def.auth ? {} : { security: [] }),
    };
    if (def.body) {
      operation.requestBody = {
        required: true,
        content: { 'application/json': { schema: schemaOf(def.body, 'input') } },
      };
    } else if (def.transfer === 'upload') {
      operation.requestBody = {
        required: true,
        content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
      };
    }
    (paths[openApiPath] ??= {})[def.method] = operation;
  }
  schemaOf(ErrorBodySchema, 'output');
  return {
    openapi: '3.1.0',
    info: { title: 'AI Platform API', version: serverVersion, 'x-api-version': API_VERSION },
    paths,
    components: {
      schemas: { ...components },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    },
    security: [{ bearer: [] }],
  };
}
