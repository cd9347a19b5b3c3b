import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { OpenAPIObject } from '@nestjs/swagger';
import { openApiDocuments } from '../../src/app.setup';
import { ERROR_CODES } from '../../src/common/errors/error-codes';
import { API_TAGS } from '../../src/openapi';
import { createTestApp, TestApp } from '../support/test-app';

/* eslint-disable @typescript-eslint/no-explicit-any -- the document is read as plain JSON */

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const bin = (name: string) => join(ROOT, 'node_modules', '.bin', name);
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/** The document the app serves at /docs-json, as a frontend team gets it. */
describe('The OpenAPI document', () => {
  let t: TestApp;
  let document: OpenAPIObject;
  let dir: string;
  let file: string;

  beforeAll(async () => {
    t = await createTestApp();
    document = (await t.http().get('/docs-json').expect(200)).body as OpenAPIObject;
    expect(document).toEqual(JSON.parse(JSON.stringify(openApiDocuments.get(t.app))));
    dir = mkdtempSync(join(tmpdir(), 'okt-openapi-'));
    file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(document, null, 2));
  });
  afterAll(async () => {
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const operations = () =>
    Object.entries(document.paths).flatMap(([path, item]) =>
      METHODS.filter((m) => (item as any)[m]).map((method) => ({ path, method, op: (item as any)[method] as Record<string, any> })),
    );

  it('passes Redocly’s recommended ruleset with zero errors', async () => {
    const { stdout } = await run(bin('redocly'), ['lint', file, '--format=json', '--max-problems=1000'], { cwd: dir, maxBuffer: 64 * 1024 * 1024 }).catch(
      (e: { stdout: string }) => e,
    );
    const report = JSON.parse(stdout) as {
      totals: { errors: number };
      problems: Array<{ severity: string; ruleId: string; message: string; location: unknown }>;
    };
    expect(report.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(report.totals.errors).toBe(0);
  }, 120_000);

  it('generates exactly the committed client types (npm run openapi:types)', async () => {
    const out = await run(bin('openapi-typescript'), [file, '--default-non-nullable', 'false', '-o', join(ROOT, 'test/contract/openapi.d.ts'), '--check'], {
      cwd: ROOT,
    }).then(
      () => 'up to date',
      (e: { stdout: string; stderr: string }) => `${e.stdout}${e.stderr}`,
    );
    expect(out).toBe('up to date');
  }, 120_000);

  it('names every operation with a unique camelCase operationId, a declared tag and a summary', () => {
    const ids = operations().map(({ op }) => op.operationId as string);
    expect(ids.filter((id) => !/^[a-z][a-zA-Z0-9]+$/.test(id))).toEqual([]);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    const tags = new Set<string>(API_TAGS.map((tag) => tag.name));
    expect(
      operations()
        .filter(({ op }) => op.tags?.length !== 1 || !tags.has(op.tags[0]) || !op.summary)
        .map(({ method, path, op }) => `${method.toUpperCase()} ${path}: tags ${JSON.stringify(op.tags)}, summary ${JSON.stringify(op.summary)}`),
    ).toEqual([]);
    expect(document.tags).toEqual(API_TAGS.map((tag) => ({ ...tag })));
    expect(document.servers).toEqual([
      { url: '/', description: expect.any(String) },
      { url: expect.stringMatching(/^https?:\/\//), description: expect.any(String) },
    ]);
  });

  it('documents each error status with the ErrorResponse schema, its codes (from the catalogue) and an example', () => {
    const problems: string[] = [];
    for (const { path, method, op } of operations()) {
      const where = `${method.toUpperCase()} ${path}`;
      if (!Object.keys(op.responses).some((s) => Number(s) >= 400)) problems.push(`${where}: no error response`);
      for (const [status, response] of Object.entries(op.responses as Record<string, any>)) {
        if (Number(status) < 400) continue;
        const [media, content] = (Object.entries(response.content ?? {})[0] ?? []) as [string | undefined, any];
        if (path.startsWith('/scim/v2')) {
          if (media !== 'application/scim+json' || content.schema?.$ref !== '#/components/schemas/ScimError')
            problems.push(`${where} ${status}: not a SCIM error`);
          continue;
        }
        const codes: string[] | undefined = content?.schema?.allOf?.[1]?.properties?.code?.enum;
        if (media !== 'application/json' || content.schema.allOf[0].$ref !== '#/components/schemas/ErrorResponse' || !codes?.length) {
          problems.push(`${where} ${status}: no ErrorResponse with a code enum`);
          continue;
        }
        for (const code of codes) {
          const known = (ERROR_CODES as Record<string, { status: number }>)[code];
          if (known?.status !== Number(status)) problems.push(`${where} ${status}: ${code} is not a ${status} of the catalogue`);
        }
        if (!codes.includes(content.example?.code)) problems.push(`${where} ${status}: no example`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('gives an example of every JSON body asked or answered', () => {
    const missing = operations().flatMap(({ path, method, op }) =>
      [['request', op.requestBody], ...Object.entries(op.responses as Record<string, any>).filter(([status]) => Number(status) < 400)]
        .filter(([, r]) => r?.content?.['application/json'] && r.content['application/json'].example === undefined)
        .map(([what]) => `${method.toUpperCase()} ${path} ${what}`),
    );
    expect(missing).toEqual([]);
  });

  it('says what the server enforces: public operations need no token, institute ids are UUIDs, unknown body fields are refused', () => {
    const byId = new Map(operations().map((o) => [o.op.operationId as string, o]));
    expect(byId.get('login')!.op.security).toEqual([]);
    expect(byId.get('searchInstitutes')!.op.security).toEqual([]);
    expect(byId.get('listMembers')!.op.security).toEqual([{ bearer: [] }]);
    expect(byId.get('listScimUsers')!.op.security).toEqual([{ scim: [] }]);
    const template = byId.get('getImportTemplate')!.op;
    expect(template.parameters).toContainEqual(
      expect.objectContaining({ name: 'instituteId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }),
    );
    expect(Object.keys(template.responses[200].content)).toEqual(['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet']);
    expect(Object.keys(byId.get('streamImportEvents')!.op.responses[200].content)).toEqual(['text/event-stream']);
    const schemas = document.components!.schemas as Record<string, any>;
    expect(schemas.AddMemberDto.additionalProperties).toBe(false);
    expect(schemas.MemberResponseDto.properties.group).toEqual(expect.objectContaining({ type: 'string', nullable: true }));
    expect(schemas.MemberResponseDto.properties.createdAt).toEqual(expect.objectContaining({ type: 'string', format: 'date-time' }));
    // A field with a default is not required (an institute is created active unless told otherwise).
    const createInstitute = (byId.get('createInstitute')!.op.requestBody.content['application/json'].schema.$ref as string).split('/').pop()!;
    expect(schemas[createInstitute].properties.status.default).toBe('active');
    expect(schemas[createInstitute].required).not.toContain('status');
  });

  it('the client journey (test/contract/journey.ts, no server import) type-checks on its own under --strict', async () => {
    const args = ['--noEmit', '--strict', '--skipLibCheck', '--target', 'ES2022', '--lib', 'ES2023,DOM', '--module', 'commonjs', '--moduleResolution', 'node'];
    const result = await run(bin('tsc'), [...args, '--types', 'node', 'test/contract/journey.ts'], { cwd: ROOT }).then(
      () => '',
      (e: { stdout: string }) => e.stdout,
    );
    expect(result).toBe('');
  }, 300_000);
});
