import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { openApiDocuments } from '../../src/app.setup';
import { ContractChecker } from '../support/contract';
import { seedUser, STRONG_PASSWORD } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';
import { walkJourney } from './journey';

describe('A client generated from the OpenAPI document (openapi-typescript + openapi-fetch)', () => {
  let t: TestApp;
  let baseUrl: string;

  beforeAll(async () => {
    t = await createTestApp({ listen: true });
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('walks staff login → institute → user → attach → members, and reads a 409’s code without a cast', async () => {
    const checker = new ContractChecker(openApiDocuments.get(t.app)!);
    const problems: string[] = [];
    const staff = await seedUser(t, { isStaff: true });
    const uniq = randomBytes(4).toString('hex');

    const result = await walkJourney(baseUrl, { email: staff.email, password: STRONG_PASSWORD }, uniq, {
      // The client's responses are checked against the document too.
      async onResponse({ request, response }) {
        const type = response.headers.get('content-type') ?? '';
        const text = await response.clone().text();
        const body: unknown = type.includes('json') && text ? JSON.parse(text) : text;
        const problem = checker.problem(request.method, request.url, { status: response.status, headers: { 'content-type': type }, body });
        if (problem) problems.push(problem);
      },
    });

    expect(problems).toEqual([]);
    expect(result).toEqual({
      isStaff: true,
      attachedStatus: 201,
      memberStatus: 'active',
      members: [[`student-${uniq}@example.org`, 'student', '3B']],
      conflictStatus: 409,
      conflictCode: 'ALREADY_MEMBER',
      codeIsTyped: true,
    });
  });
});
