import type { OpenAPIObject } from '@nestjs/swagger';
import { ERROR_CODES, ErrorCode, isErrorCode } from '../errors/error-codes';

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call -- the document is walked as plain JSON */
type Json = Record<string, any>;

/** What the document cannot say by itself about one operation (read from the route's metadata). */
export interface OperationFacts {
  /** `@Public()`: no bearer token (`security: []`). */
  public: boolean;
  /** Answered as `application/scim+json` in the SCIM error schema, authenticated by a SCIM token. */
  scim: boolean;
  /** Codes declared with `@ApiErrors` or derived from the access rule. */
  errors: ErrorCode[];
  /** Who may call it, for people (from the access rule). */
  allowed?: string;
}

export interface FinishOptions {
  /** By operationId. */
  operations: ReadonlyMap<string, OperationFacts>;
  tags: ReadonlyArray<{ name: string; description: string }>;
  servers: ReadonlyArray<{ url: string; description?: string }>;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const ERROR_RESPONSE = '#/components/schemas/ErrorResponse';
const SCIM_ERROR = '#/components/schemas/ScimError';
/** The statuses a `/scim/v2` operation may answer in the SCIM error schema (RFC 7644 §3.12). */
const SCIM_ERROR_STATUSES: Record<number, string> = {
  400: 'invalidValue, invalidFilter, invalidSyntax, invalidPath, noTarget, mutability, tooMany',
  401: 'No valid SCIM token',
  404: 'No such resource in the token’s institute',
  409: 'uniqueness: a userName, externalId or group name is taken',
  412: 'The If-Match version is not the current one',
  413: 'The request body is too large',
  429: 'Too many requests with this token (Retry-After)',
  500: 'Unexpected error',
  503: 'Redis is unavailable (Retry-After)',
};
export const SCIM_MEDIA_TYPE = 'application/scim+json';

/**
 * Completes the document @nestjs/swagger generates with what the server
 * enforces elsewhere: every error status in the ErrorResponse shape with its
 * codes, `security: []` on public operations, `additionalProperties: false`
 * on request bodies (the ValidationPipe refuses unknown fields), defaults not
 * required, top-level tags and servers.
 */
export function finishDocument(document: OpenAPIObject, options: FinishOptions): OpenAPIObject {
  const doc = document as Json;
  doc.servers = options.servers.map((s) => ({ ...s }));
  doc.tags = options.tags.map((t) => ({ ...t }));
  doc.components ??= {};
  doc.components.schemas ??= {};
  Object.assign(doc.components.schemas, errorSchemas());
  doc.components.securitySchemes.scim = {
    type: 'http',
    scheme: 'bearer',
    description: 'A SCIM token of the institute (`/api/institutes/{instituteId}/scim-tokens`)',
  };

  const requestSchemas = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths as Json)) {
    for (const method of METHODS) {
      const op = item[method] as Json | undefined;
      if (!op) continue;
      const facts = options.operations.get(op.operationId as string);
      if (!facts) throw new Error(`OpenAPI: no route facts for ${method.toUpperCase()} ${path} (operationId ${op.operationId})`);
      op.parameters ??= [];
      for (const name of [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1])) {
        // A handler that does not read a path parameter (the guard does) still has it in its path.
        if (!(op.parameters as Json[]).some((p) => p.in === 'path' && p.name === name)) op.parameters.unshift({ name, in: 'path', schema: { type: 'string' } });
      }
      for (const param of op.parameters as Json[]) {
        if (param.in === 'path' && /Id$/.test(param.name) && param.schema?.type === 'string') param.schema.format = 'uuid';
        if (param.schema?.default !== undefined) param.required = false;
        if (param.in === 'path') param.required = true;
      }
      if (facts.allowed) op.description = [op.description, `**Allowed:** ${facts.allowed}.`].filter(Boolean).join('\n\n');
      if (facts.scim) {
        finishScim(op);
      } else {
        for (const media of Object.values((op.requestBody?.content ?? {}) as Json)) collectRefs(media.schema, doc, requestSchemas);
        finishErrors(op, facts);
      }
      op.security = facts.scim ? [{ scim: [] }] : (op.security ?? (facts.public ? [] : [{ bearer: [] }]));
    }
  }
  for (const [name, schema] of Object.entries(doc.components.schemas as Record<string, Json>)) {
    finishSchema(schema);
    if (requestSchemas.has(name) && schema.type === 'object') schema.additionalProperties = false;
  }
  // Every JSON body, asked or answered, gets an example (built from the schema's own examples, enums and formats).
  for (const item of Object.values(doc.paths as Json)) {
    for (const method of METHODS) {
      const op = item[method] as Json | undefined;
      if (!op) continue;
      const media: Array<Json | undefined> = [
        op.requestBody?.content?.['application/json'],
        ...Object.entries((op.responses ?? {}) as Json)
          .filter(([status]) => Number(status) < 400)
          .map(([, r]) => r.content?.['application/json'] as Json | undefined),
      ];
      for (const m of media) if (m?.schema && m.example === undefined && m.examples === undefined) m.example = exampleOf(m.schema, doc, 0, '');
    }
  }
  return document;
}

const SAMPLE_STRINGS: Record<string, string> = {
  uuid: '3fa85f64-5717-4562-b3fc-2c963f66afa6',
  'date-time': '2026-01-15T09:30:00.000Z',
  date: '2026-01-15',
  email: 'ada.lovelace@example.org',
  uri: 'https://app.example.org/callback',
};
const SAMPLE_NAMES: Record<string, string> = {
  email: 'ada.lovelace@example.org',
  firstName: 'Ada',
  lastName: 'Lovelace',
  name: 'Lycée Ampère',
  city: 'Lyon',
  country: 'France',
};

/** An example value for a schema: its own example, default or first enum value, else one built from its type. */
function exampleOf(schema: Json | undefined, doc: Json, depth: number, name: string): unknown {
  if (!schema || depth > 12) return undefined;
  if (schema.$ref) return exampleOf(doc.components.schemas[String(schema.$ref).replace('#/components/schemas/', '')], doc, depth + 1, name);
  if (schema.example !== undefined) return schema.example;
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  if (schema.allOf) return Object.assign({}, ...(schema.allOf as Json[]).map((s) => exampleOf(s, doc, depth + 1, name) ?? {}));
  if (schema.anyOf || schema.oneOf) return exampleOf((schema.anyOf ?? schema.oneOf)[0], doc, depth + 1, name);
  switch (schema.type) {
    case 'object': {
      const out: Json = {};
      for (const [key, prop] of Object.entries((schema.properties ?? {}) as Json)) out[key] = exampleOf(prop, doc, depth + 1, key);
      return out;
    }
    case 'array':
      return [exampleOf(schema.items, doc, depth + 1, name)];
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    case 'string':
      return SAMPLE_STRINGS[schema.format as string] ?? SAMPLE_NAMES[name] ?? (schema.minLength > 6 ? 'x'.repeat(schema.minLength) : name || 'string');
    default:
      return undefined;
  }
}

function errorSchemas(): Json {
  return {
    ErrorResponse: {
      type: 'object',
      description: 'Every error of `/api`: a stable machine `code` (see each operation for its own), a message for people, and `details` for some codes.',
      required: ['statusCode', 'code', 'message'],
      additionalProperties: false,
      properties: {
        statusCode: { type: 'integer', minimum: 400, maximum: 599, description: 'The HTTP status, repeated' },
        code: { type: 'string', pattern: '^[A-Z][A-Z0-9_]*$', description: 'Stable UPPER_SNAKE machine code' },
        message: { type: 'string', description: 'For people; may change' },
        details: {
          description: 'VALIDATION_FAILED: `[{ field, message }]`; NOT_READY: the checks; otherwise what the code says',
          anyOf: [
            { type: 'array', items: { $ref: '#/components/schemas/ValidationErrorDetail' } },
            { type: 'object', additionalProperties: true },
          ],
        },
      },
    },
    ValidationErrorDetail: {
      type: 'object',
      required: ['field', 'message'],
      additionalProperties: false,
      properties: {
        field: { type: 'string', example: 'email' },
        message: { type: 'string', example: 'email must be an email' },
        row: { type: 'integer', description: 'Uploads: the row of the file' },
        sheet: { type: 'string', description: 'Uploads: the sheet looked at' },
      },
    },
    ScimResource: {
      type: 'object',
      description: 'A SCIM resource (RFC 7643 User or Group); the discovery endpoints `/scim/v2/Schemas` describe every attribute',
      required: ['schemas'],
      additionalProperties: true,
      properties: {
        schemas: { type: 'array', items: { type: 'string' }, example: ['urn:ietf:params:scim:schemas:core:2.0:User'] },
        id: { type: 'string' },
        externalId: { type: 'string' },
        meta: { type: 'object', additionalProperties: true },
      },
    },
    ScimListResponse: {
      type: 'object',
      required: ['schemas', 'totalResults', 'Resources'],
      properties: {
        schemas: { type: 'array', items: { type: 'string', enum: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'] } },
        totalResults: { type: 'integer', minimum: 0 },
        startIndex: { type: 'integer', minimum: 1 },
        itemsPerPage: { type: 'integer', minimum: 0 },
        Resources: { type: 'array', items: { $ref: '#/components/schemas/ScimResource' } },
      },
    },
    ScimPatchOp: {
      type: 'object',
      required: ['schemas', 'Operations'],
      properties: {
        schemas: { type: 'array', items: { type: 'string', enum: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'] } },
        Operations: {
          type: 'array',
          items: {
            type: 'object',
            required: ['op'],
            properties: {
              op: { type: 'string', description: 'add, replace or remove (any case)' },
              path: { type: 'string' },
              value: { description: 'Any JSON value' },
            },
          },
        },
      },
    },
    ScimError: {
      type: 'object',
      description: 'RFC 7644 §3.12 error, as application/scim+json',
      required: ['schemas', 'status'],
      properties: {
        schemas: { type: 'array', items: { type: 'string', enum: ['urn:ietf:params:scim:api:messages:2.0:Error'] } },
        status: { type: 'string', pattern: '^[45][0-9]{2}$' },
        scimType: { type: 'string' },
        detail: { type: 'string' },
      },
    },
  };
}

function finishErrors(op: Json, facts: OperationFacts): void {
  const codes = new Set<ErrorCode>(facts.errors);
  // Hand-written error responses (@ApiConflictResponse({ description: 'LAST_STAFF: …' })) count by the catalogue codes they name.
  for (const [status, response] of Object.entries((op.responses ?? {}) as Json)) {
    if (Number(status) < 400) continue;
    for (const word of String(response.description ?? '').match(/\b[A-Z][A-Z0-9_]{2,}\b/g) ?? []) {
      if (isErrorCode(word) && ERROR_CODES[word].status === Number(status)) codes.add(word);
    }
  }
  if (!facts.public) ['UNAUTHORIZED', 'TOKEN_EXPIRED'].forEach((c) => codes.add(c as ErrorCode));
  if ((op.parameters ?? []).length || op.requestBody) codes.add('VALIDATION_FAILED');
  if (op.requestBody?.content?.['application/json']) ['MALFORMED_JSON', 'PAYLOAD_TOO_LARGE'].forEach((c) => codes.add(c as ErrorCode));
  codes.add('INTERNAL_ERROR');
  codes.add('SERVICE_UNAVAILABLE');
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = ERROR_CODES[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  op.responses ??= {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    const first = list[0];
    op.responses[String(status)] = {
      description: list.map((c) => `\`${c}\`: ${ERROR_CODES[c].description}`).join('. '),
      content: {
        'application/json': {
          schema: {
            allOf: [
              { $ref: ERROR_RESPONSE },
              { type: 'object', properties: { statusCode: { type: 'integer', enum: [status] }, code: { type: 'string', enum: list } } },
            ],
          },
          example: { statusCode: status, code: first, message: ERROR_CODES[first].description.replace(/`/g, '') },
        },
      },
    };
  }
  // Error responses declared by hand and not in the catalogue keep their description, in the contract's shape.
  for (const [status, response] of Object.entries(op.responses as Json)) {
    if (Number(status) >= 400 && !response.content) response.content = { 'application/json': { schema: { $ref: ERROR_RESPONSE } } };
  }
}

function finishScim(op: Json): void {
  for (const response of Object.values((op.responses ?? {}) as Json)) {
    if (response.content?.['application/json']) {
      response.content = { [SCIM_MEDIA_TYPE]: response.content['application/json'] };
    }
  }
  if (op.requestBody?.content?.['application/json']) op.requestBody.content = { [SCIM_MEDIA_TYPE]: op.requestBody.content['application/json'] };
  // A read with If-None-Match naming the current version.
  if (op.responses['200'] && /^getScim(User|Group)$/.test(op.operationId as string)) op.responses['304'] = { description: 'Not modified (If-None-Match)' };
  for (const [status, description] of Object.entries(SCIM_ERROR_STATUSES)) {
    op.responses[status] = {
      description,
      content: {
        [SCIM_MEDIA_TYPE]: {
          schema: { $ref: SCIM_ERROR },
          example: { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status, detail: description },
        },
      },
    };
  }
}

/** Defaults are not required; a nullable property keeps its type. */
function finishSchema(schema: Json): void {
  if (!schema || typeof schema !== 'object') return;
  const required = schema.required as string[] | undefined;
  for (const [name, prop] of Object.entries((schema.properties ?? {}) as Record<string, Json>)) {
    if (prop.default !== undefined && required) schema.required = (schema.required as string[]).filter((r) => r !== name);
    // Dates travel as ISO 8601 strings (JSON.stringify of a Date).
    if (/At$/.test(name) && prop.type === 'string' && !prop.format) prop.format = 'date-time';
    finishSchema(prop);
  }
  if (schema.items) finishSchema(schema.items);
  if (Array.isArray(schema.required) && !schema.required.length) delete schema.required;
}

/** The component schemas a request body uses, nested ones included. */
function collectRefs(schema: Json | undefined, doc: Json, into: Set<string>): void {
  if (!schema || typeof schema !== 'object') return;
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.replace('#/components/schemas/', '');
    if (into.has(name)) return;
    into.add(name);
    collectRefs(doc.components.schemas[name], doc, into);
    return;
  }
  for (const value of Object.values(schema)) if (value && typeof value === 'object') collectRefs(value, doc, into);
}
