import { request as httpRequest } from 'node:http';
import { AddressInfo } from 'node:net';
import { signedIn } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

/** Bodies, URLs and headers built to break the service answer 4xx in the contract's shape, never 500 or an empty reply. */
describe('Hostile requests', () => {
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    t = await createTestApp({ listen: true });
    port = (t.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(async () => {
    await t?.close();
  });

  const deep = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);

  it.each(['/api/auth/login', '/api/auth/password/forgot', '/api/users'])('a body nested 5,000 levels deep on %s is 400 MALFORMED_JSON', async (path) => {
    const staff = await signedIn(t, { isStaff: true });
    const res = await t.http().post(path).set('Authorization', `Bearer ${staff.token}`).set('Content-Type', 'application/json').send(deep(5000));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ statusCode: 400, code: 'MALFORMED_JSON', message: 'The JSON body nests deeper than 32 levels' });
  });

  it('arrays nested deep are refused the same way; a sensible depth still reaches validation', async () => {
    const arrays = await t
      .http()
      .post('/api/auth/login')
      .set('Content-Type', 'application/json')
      .send(`{"email":${'['.repeat(3000)}${']'.repeat(3000)}}`);
    expect([arrays.status, arrays.body.code]).toEqual([400, 'MALFORMED_JSON']);
    const shallow = await t
      .http()
      .post('/api/auth/login')
      .set('Content-Type', 'application/json')
      .send(`{"email":${deep(10)},"password":"x"}`);
    expect([shallow.status, shallow.body.code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('keeps the body size limit: over 100 KB is 413 in the contract shape', async () => {
    const res = await t
      .http()
      .post('/api/auth/login')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ email: 'a'.repeat(200_000), password: 'x' }));
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
  });

  function raw(path: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string; body: unknown }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path, method: 'GET', headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body: text ? JSON.parse(text) : text });
        });
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('headers over the limit answer 431 with the error body', async () => {
    const res = await raw('/health', { 'X-Padding': 'x'.repeat(20_000) });
    expect(res.status).toBe(431);
    expect(res.type).toContain('application/json');
    expect(res.body).toEqual({ statusCode: 431, code: 'HEADERS_TOO_LARGE', message: expect.stringContaining('16 KB') });
  });

  it('a URL over the limit answers 431 with the error body', async () => {
    const res = await raw(`/api/institutes?search=${'a'.repeat(20_000)}`);
    expect(res.status).toBe(431);
    expect(res.body).toMatchObject({ statusCode: 431, code: 'HEADERS_TOO_LARGE' });
  });
});
