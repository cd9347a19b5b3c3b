import { INestApplication, Type } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer, Reflector } from '@nestjs/core';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { AuthRule } from './auth/auth.types';
import { AUTH_RULE_KEY } from './auth/decorators/auth.decorator';
import { IS_PUBLIC_KEY } from './common/decorators/public.decorator';
import { ErrorCode } from './common/errors/error-codes';
import { declaredErrors } from './common/openapi/api-errors.decorator';
import { finishDocument, OperationFacts } from './common/openapi/finish-document';

/** The document's tags, one per module, in the order a reader meets them. Every `@ApiTags` names one of these. */
export const API_TAGS = [
  { name: 'auth', description: 'Sign-in, tokens, email verification, password reset and self-registration (public, throttled per address)' },
  { name: 'sso', description: 'Single sign-on through institutions’ identity providers (OIDC, SAML): their configuration (staff) and the browser flow' },
  { name: 'me', description: 'The caller: profile, memberships, company affiliation, preferences and password' },
  { name: 'institutes', description: 'Institutes: the public registration typeahead and staff management' },
  { name: 'users', description: 'Accounts: “Create a user” and who may see one' },
  { name: 'members', description: 'The User ↔ Institute relation: attach, list, roles, activation of self-registered teachers, detach, audit' },
  { name: 'imports', description: 'Student import from .xlsx/.ods/.csv: template, upload, progress (Server-Sent Events), report' },
  { name: 'companies', description: 'Companies: the public typeahead and staff management' },
  { name: 'professionals', description: 'The staff queue validating self-registered professionals' },
  { name: 'notifications', description: 'The caller’s in-app notifications' },
  { name: 'scim', description: 'Institutes’ SCIM tokens (managers), and SCIM 2.0 provisioning under `/scim/v2` (RFC 7643/7644, `application/scim+json`)' },
  { name: 'admin', description: 'Platform staff: audit trail, mail log, queue dashboard session' },
  { name: 'health', description: 'Liveness and readiness' },
  { name: 'operations', description: 'Prometheus metrics (METRICS_TOKEN)' },
] as const;

/** SCIM Users and Groups share their handlers (one base controller): their operationIds come from the class and method. */
const SCIM_VERBS: Record<string, string> = { list: 'list', create: 'create', get: 'get', replace: 'replace', patch: 'patch', remove: 'delete' };

/** The operationId of a handler without an explicit one; only SCIM's shared handlers rely on it (the contract test refuses others). */
export function operationIdFor(controllerKey: string, methodKey: string): string {
  const scim = /^Scim(Users|Groups)Controller$/.exec(controllerKey);
  if (scim && SCIM_VERBS[methodKey]) {
    const verb = SCIM_VERBS[methodKey];
    return `${verb}Scim${verb === 'list' ? scim[1] : scim[1].slice(0, -1)}`;
  }
  return `${controllerKey}_${methodKey}`;
}

/** The codes the global guard answers for a route's `@Auth()` rule. */
function authErrors(rule: AuthRule | undefined, path: string): ErrorCode[] {
  if (!rule) return [];
  const codes: ErrorCode[] = [];
  if (rule.staff || rule.institute || rule.anyInstitute) codes.push('FORBIDDEN');
  if (rule.institute) codes.push('MEMBERSHIP_PENDING');
  if (path.includes(':instituteId')) codes.push('INSTITUTE_NOT_FOUND', 'VALIDATION_FAILED');
  return codes;
}

/** Who passes a route's `@Auth()` rule, in words. */
function allowedBy(rule: AuthRule | undefined): string | undefined {
  if (!rule) return undefined;
  const who: string[] = [];
  if (rule.staff || rule.institute || rule.anyInstitute) who.push('staff');
  if (rule.institute) who.push(`active ${rule.institute.join('/')} of the institute`);
  if (rule.anyInstitute) who.push(`any active ${rule.anyInstitute.join('/')}`);
  return who.length ? who.join(', ') : 'any signed-in user';
}

/** Reads, for every handler of the app, what the document needs to know beyond its own decorators. */
function operationFacts(app: INestApplication): Map<string, OperationFacts> {
  const reflector = new Reflector();
  const facts = new Map<string, OperationFacts>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type | null;
      if (!controller) continue;
      const base = (Reflect.getMetadata(PATH_METADATA, controller) as string | undefined) ?? '';
      for (const key of handlerKeys(controller)) {
        const handler = (controller.prototype as Record<string, () => unknown>)[key];
        const explicit = (Reflect.getMetadata('swagger/apiOperation', handler) as { operationId?: string } | undefined)?.operationId;
        const path = `${base}/${(Reflect.getMetadata(PATH_METADATA, handler) as string | undefined) ?? ''}`;
        const rule = reflector.getAllAndOverride<AuthRule | undefined>(AUTH_RULE_KEY, [handler, controller]);
        facts.set(explicit ?? operationIdFor(controller.name, key), {
          public: reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [handler, controller]) ?? false,
          scim: base.startsWith('scim/'),
          errors: [...new Set([...authErrors(rule, path), ...declaredErrors(controller, handler)])],
          allowed: allowedBy(rule),
        });
      }
    }
  }
  return facts;
}

function handlerKeys(controller: Type): string[] {
  const keys = new Set<string>();
  for (let proto = controller.prototype as object | null; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      const value: unknown = Object.getOwnPropertyDescriptor(proto, key)?.value;
      if (key !== 'constructor' && typeof value === 'function' && Reflect.getMetadata(PATH_METADATA, value) !== undefined) keys.add(key);
    }
  }
  return [...keys];
}

/** The OpenAPI document of the app (served at /docs-json, written by `npm run openapi`). */
export function buildOpenApiDocument(app: INestApplication, publicUrl: string): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Oktonine user management')
      .setDescription(
        'Onboarding of institutes, students, teachers and professionals. Every error of `/api` has the shape ' +
          '`{ statusCode, code, message, details? }` (ErrorResponse); each operation lists the `code` values it may answer. ' +
          'Unknown body fields and query parameters are refused with 400 `VALIDATION_FAILED`. ' +
          'SCIM 2.0 provisioning lives under `/scim/v2` with its own media type and error schema.',
      )
      .setVersion('1.0')
      .setLicense('UNLICENSED', 'https://oktonine.example/license')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The access token of POST /api/auth/login' }, 'bearer')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN' }, 'metrics')
      .build(),
    { operationIdFactory: operationIdFor },
  );
  return finishDocument(document, {
    operations: operationFacts(app),
    tags: API_TAGS,
    // Relative first: Swagger UI (and any client reading the document where it is served) calls the server it came from.
    servers: [
      { url: '/', description: 'The server serving this document' },
      { url: publicUrl, description: 'This deployment’s external URL (PUBLIC_URL)' },
    ],
  });
}
