/** The OpenAPI 3.1 document, generated from the contract. */
import { z } from 'zod';
import { API_PREFIX, type OperationDef, operations } from '../contract/operations';
import { apiErrorSchema } from '../contract/schemas';

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' });

function parameters(def: OperationDef) {
  const out: object[] = [];
  for (const [where, schema] of [
    ['path', def.params],
    ['query', def.query],
  ] as const) {
    if (!schema) continue;
    for (const [name, field] of Object.entries(schema.shape)) {
      const f = field as z.ZodType;
      out.push({
        name,
        in: where,
        required: where === 'path' || !f.safeParse(undefined).success,
        description: f.description,
        schema: jsonSchema(f, 'input'),
      });
    }
  }
  return out;
}

export function buildOpenApi(version: string, baseUrl: string): object {
  const paths: Record<string, Record<string, object>> = {};
  const errorResponse = { description: 'Error', content: { 'application/json': { schema: jsonSchema(apiErrorSchema, 'output') } } };
  for (const [operationId, def] of Object.entries(operations) as [string, OperationDef][]) {
    const responses: Record<string, object> = {};
    if (def.status === 204) responses['204'] = { description: 'Done' };
    else if (def.output) {
      const type = def.rawContentType ?? 'application/json';
      responses[String(def.status)] = {
        description: 'Success',
        content: { [type]: { schema: def.rawContentType ? { type: 'string' } : jsonSchema(def.output, 'output') } },
      };
    }
    for (const code of ['400', '404', '409', '422']) responses[code] = errorResponse;
    if (def.auth) responses['401'] = errorResponse;
    (paths[API_PREFIX + def.path] ??= {})[def.method.toLowerCase()] = {
      operationId,
      summary: def.summary,
      parameters: parameters(def),
      ...(def.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(def.body, 'input') } } } } : {}),
      responses,
      security: def.auth ? [{ bearer: [] }] : [],
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'QBWC Companion API',
      version,
      description:
        'Local API of QBWC Companion: manage QuickBooks Web Connector instances, queue qbXML for QuickBooks Desktop and read the results. Listens on loopback; send the token from <data-dir>/api-token as a Bearer token.',
    },
    servers: [{ url: baseUrl }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}
