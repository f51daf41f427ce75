import type { Context } from 'hono';
import { z } from 'zod';

// A control route is data: method, OpenAPI path, schemas and a handler. The app and the OpenAPI document are
// both built from the same list, so every route is documented by construction.

export interface RouteInput {
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
  c: Context;
}

export interface ControlRoute {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI-style path below /api/v1, e.g. /devices/{id}/stimuli/signal. */
  path: string;
  summary: string;
  tag: string;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Schema of the 200 answer (documentation only). */
  response?: z.ZodType;
  /** Returns the JSON answer, or a Response for other media types (SSE, JSON lines). */
  handler: (input: RouteInput) => unknown;
}

export function defineRoute(route: ControlRoute): ControlRoute {
  return route;
}

/** An RFC 9457 problem: the control API's one error shape. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { field: string; message: string }[];
}

export class ProblemError extends Error {
  override readonly name = 'ProblemError';
  constructor(readonly problem: Problem) {
    super(problem.detail);
  }
}

export function problem(status: number, title: string, detail: string, errors?: Problem['errors']): ProblemError {
  return new ProblemError({ type: `https://routerlab.dev/problems/${title.toLowerCase().replace(/\s+/g, '-')}`, title, status, detail, ...(errors ? { errors } : {}) });
}

/** A 400 naming each bad field (its JSON path) and what was expected. */
export function validationProblem(where: string, error: z.ZodError): ProblemError {
  const errors = error.issues.map((i) => ({ field: [where, ...i.path.map(String)].join('.'), message: i.message }));
  return problem(400, 'Invalid request', `${errors.length} invalid field(s): ${errors.map((e) => e.field).join(', ')}`, errors);
}

export function toHonoPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

/** The OpenAPI 3.1 document of a route list (JSON Schema from zod). */
export function openApiDocument(routes: ControlRoute[], info: { title: string; version: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const problemSchema = {
    type: 'object',
    required: ['type', 'title', 'status', 'detail'],
    properties: {
      type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' },
      errors: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } },
    },
  };
  for (const r of routes) {
    const full = `/api/v1${r.path}`;
    const pathParams = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const queryParams = r.query
      ? Object.entries((z.toJSONSchema(r.query, { io: 'input' }) as { properties?: Record<string, unknown> }).properties ?? {}).map(([name, schema]) => ({ name, in: 'query', required: false, schema }))
      : [];
    const op: Record<string, unknown> = {
      operationId: `${r.method}${r.path.replace(/[{}]/g, '').replace(/[/-](\w)/g, (_m, ch: string) => ch.toUpperCase())}`,
      summary: r.summary,
      tags: [r.tag],
      parameters: [...pathParams, ...queryParams],
      responses: {
        200: { description: 'OK', content: { 'application/json': { schema: r.response ? z.toJSONSchema(r.response, { io: 'output', unrepresentable: 'any' }) : {} } } },
        400: { description: 'Invalid request', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
        401: { description: 'Missing or wrong control token', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
        404: { description: 'Unknown device', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
      },
    };
    if (r.body) op.requestBody = { required: true, content: { 'application/json': { schema: z.toJSONSchema(r.body, { io: 'input', unrepresentable: 'any' }) } } };
    (paths[full] ??= {})[r.method] = op;
  }
  return {
    openapi: '3.1.0',
    info,
    servers: [{ url: '/' }],
    paths,
    components: {
      schemas: { Problem: problemSchema },
      securitySchemes: { token: { type: 'http', scheme: 'bearer' } },
    },
    security: [{ token: [] }, {}],
  };
}
