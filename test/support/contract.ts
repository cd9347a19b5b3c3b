import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { Response, Test } from 'supertest';

/* eslint-disable @typescript-eslint/no-explicit-any -- the document is walked as plain JSON */

/** Served by the app but not part of the API document (pages, the dashboard, the document itself). */
const OUTSIDE_DOCUMENT = [/^\/docs/, /^\/admin\/queues/, /^\/admin\/sign-in/, /^\/assets\//, /^\/verify-email/, /^\/reset-password/, /^\/dev\/mail/];
const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const JSON_MEDIA = /^application\/(?:[\w.-]+\+)?json$/;

interface Route {
  template: string;
  pattern: RegExp;
  params: number;
}

/**
 * Checks a response against the app's own OpenAPI document: the operation
 * (method and path template) must document the status, the media type it
 * answered, and its JSON body must be valid against the documented schema.
 */
export class ContractChecker {
  private readonly ajv: Ajv;
  private readonly routes: Route[];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(private readonly document: OpenAPIObject) {
    this.ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, validateFormats: true });
    addFormats(this.ajv);
    this.ajv.addSchema(closedSchemas(nullableRefs(structuredClone(document))) as object, 'openapi.json');
    this.routes = Object.keys(document.paths)
      .map((template) => ({
        template,
        pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{\w+\\?\}/g, '[^/]+')}$`),
        params: (template.match(/\{/g) ?? []).length,
      }))
      // A literal segment wins over a parameter (`/imports/template` before `/imports/{importId}`).
      .sort((a, b) => a.params - b.params);
  }

  /** The problem with this response, or null when it conforms. */
  problem(method: string, url: string, res: Pick<Response, 'status' | 'headers' | 'body'>): string | null {
    const path = new URL(url, 'http://x').pathname;
    const verb = method.toLowerCase();
    if (verb === 'head' || verb === 'options') return null;
    const body = res.body as { code?: string } | undefined;
    if (res.status === 404 && body?.code === 'ROUTE_NOT_FOUND') return null;
    const route = this.routes.find((r) => r.pattern.test(path) && (this.document.paths[r.template] as any)[verb]);
    if (!route) {
      if (OUTSIDE_DOCUMENT.some((p) => p.test(path))) return null;
      // Refused before routing (a body that does not parse, too large…): still in the contract's error shape.
      if (res.status >= 400 && path.startsWith('/api/') && this.errorShape(res.body)) return null;
      if (res.status >= 400 && path.startsWith('/scim/v2/') && (res.body as { schemas?: string[] })?.schemas?.includes(SCIM_ERROR)) return null;
      return `${method} ${path} answered ${res.status} but no operation of the document matches it`;
    }
    const op = (this.document.paths[route.template] as any)[verb];
    const where = `${method} ${path} (${op.operationId})`;
    const response = op.responses?.[String(res.status)];
    if (!response) return `${where} answered ${res.status}, which the document does not list (it lists ${Object.keys(op.responses ?? {}).join(', ')})`;
    const contentType = String(res.headers['content-type'] ?? '')
      .split(';')[0]
      .trim();
    if (!response.content) {
      return contentType && res.status !== 204 && res.status !== 304 && !isEmpty(res.body)
        ? `${where} answered ${res.status} with a ${contentType} body the document does not describe`
        : null;
    }
    if (!contentType) return `${where} answered ${res.status} without a body; the document describes ${Object.keys(response.content).join(', ')}`;
    if (!response.content[contentType]) {
      return `${where} answered ${res.status} as ${contentType}; the document says ${Object.keys(response.content).join(', ')}`;
    }
    if (!JSON_MEDIA.test(contentType)) return null;
    const validate = this.validator(route.template, verb, res.status, contentType);
    if (validate(res.body)) return null;
    return `${where} answered ${res.status} with a body that does not match the document: ${this.ajv.errorsText(validate.errors, { dataVar: 'body' })}\nbody: ${JSON.stringify(res.body).slice(0, 2000)}`;
  }

  private errorShape(body: unknown): boolean {
    let validate = this.validators.get('ErrorResponse');
    if (!validate) {
      validate = this.ajv.compile({ $ref: 'openapi.json#/components/schemas/ErrorResponse' });
      this.validators.set('ErrorResponse', validate);
    }
    return validate(body);
  }

  private validator(template: string, verb: string, status: number, media: string): ValidateFunction {
    const pointer = ['paths', template, verb, 'responses', String(status), 'content', media, 'schema'].map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1'));
    const ref = `openapi.json#/${pointer.map(encodeURIComponent).join('/')}`;
    let validate = this.validators.get(ref);
    if (!validate) {
      validate = this.ajv.compile({ $ref: ref });
      this.validators.set(ref, validate);
    }
    return validate;
  }
}

/**
 * OpenAPI 3.0 writes a nullable reference as `{ nullable: true, allOf: [{ $ref }] }`;
 * Ajv's `nullable` only widens `type`, so such a node becomes `anyOf: [null, …]`.
 */
function nullableRefs(node: any): any {
  if (Array.isArray(node)) return node.map(nullableRefs);
  if (!node || typeof node !== 'object') return node;
  const out: any = {};
  for (const [k, v] of Object.entries(node)) out[k] = nullableRefs(v);
  if (out.nullable === true && (out.allOf || out.$ref)) {
    const { nullable: _nullable, type: _type, ...rest } = out;
    return { anyOf: [{ type: 'null' }, rest] };
  }
  return out;
}

/**
 * Every field a response carries must be documented: the checker reads the
 * component schemas as closed (the document leaves them open, so that adding a
 * field stays compatible for clients). Schemas that say otherwise keep their word.
 */
function closedSchemas(document: any): any {
  for (const schema of Object.values((document.components?.schemas ?? {}) as Record<string, any>)) {
    if (schema.type === 'object' && schema.properties && schema.additionalProperties === undefined) schema.additionalProperties = false;
  }
  return document;
}

function isEmpty(body: unknown): boolean {
  return body === undefined || body === null || body === '' || (typeof body === 'object' && Object.keys(body).length === 0);
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'del', 'head', 'options'] as const;

/**
 * Wraps supertest so that every response a test receives is checked against
 * the document before the test's own expectations: a mismatch fails the test.
 */
export function checkedAgent<T extends object>(agent: T, checker: () => ContractChecker): T {
  return new Proxy(agent, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || !(METHODS as readonly (string | symbol)[]).includes(prop)) return value;
      return (...args: unknown[]) => {
        const test = (value as (...a: unknown[]) => Test).apply(target, args);
        const method = String(prop === 'del' ? 'delete' : prop).toUpperCase();
        return test.expect((res: Response) => {
          const problem = checker().problem(method, String(args[0]), res);
          if (problem) throw new Error(`Contract: ${problem}`);
        });
      };
    },
  });
}
