/**
 * The OpenAPI 3.1 document, generated from the contract. Its server URL is the API's
 * base (`http://localhost:8520/api/v1`) and its paths are relative to it (`/instances`),
 * so a client generated from it calls the real URLs.
 */
import { z } from 'zod';
import { type OperationDef, operations } from '../contract/operations';
import { apiErrorSchema } from '../contract/schemas';
import { DOMAIN_EVENT_NAMES } from '../events';

/** A schema object for the document: JSON Schema 2020-12 (OpenAPI 3.1's dialect) without a `$schema` of its own. */
const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  return rest;
};

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

/** `baseUrl` is where the API is served, ending in /api/v1; the paths are relative to it. */
export function buildOpenApi(version: string, baseUrl: string): object {
  const paths: Record<string, Record<string, object>> = {};
  const errorResponse = { $ref: '#/components/responses/Error' };
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
    for (const code of ['400', '403', '404', '409', '422']) responses[code] = errorResponse;
    if (def.auth) responses['401'] = errorResponse;
    if (def.body) responses['413'] = responses['415'] = errorResponse;
    (paths[def.path] ??= {})[def.method.toLowerCase()] = {
      operationId,
      summary: def.summary,
      parameters: parameters(def),
      ...(def.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(def.body, 'input') } } } } : {}),
      responses,
      security: def.auth ? [{ bearer: [] }] : [],
    };
  }
  // Not a contract operation (its answer never ends): the domain events, for live views.
  paths['/stream'] = {
    get: {
      operationId: 'streamEvents',
      summary: `Live updates as server-sent events: "ready" on connecting, then one event per change as it is committed (${DOMAIN_EVENT_NAMES.join(', ')}), data a JSON object naming what changed (ids, status). Read the current state through the operations; a comment line every 20 s keeps the stream open.`,
      parameters: [],
      responses: { '200': { description: 'The event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } }, '401': errorResponse },
      security: [{ bearer: [] }],
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'QBWC Companion API',
      version,
      description:
        'Local API of QBWC Companion: manage QuickBooks Web Connector instances, queue qbXML for QuickBooks Desktop and read the results. Listens on loopback; send the token from <data-dir>/api-token as a Bearer token (checked before any of the body is read); a browser signed in with a one-time link (POST /login-codes) is authenticated by its session cookie instead. JSON bodies are limited to 1 MB (4 MB for /qwc/validate); queueing requests takes up to the configured maximum (--max-body-mb, default 512). A 4xx lists every problem with the request in `error.problems`.',
    },
    servers: [{ url: baseUrl }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { Error: jsonSchema(apiErrorSchema, 'output') },
      responses: {
        Error: {
          description: 'Every problem with the request, each naming the field at fault (see README, "REST API").',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
    },
    paths,
  };
}
