import { randomUUID } from 'node:crypto';
import { AuditEntry } from '../../src/audit/entities/audit-entry.entity';
import { MembershipRole } from '../../src/auth/roles';
import { sha256 } from '../../src/auth/token-hash';
import { Membership } from '../../src/memberships/entities/membership.entity';
import { ExternalIdentity } from '../../src/sso/entities/external-identity.entity';
import { IdentityProvider } from '../../src/sso/entities/identity-provider.entity';
import { SsoCode } from '../../src/sso/entities/sso-request.entity';
import { User } from '../../src/users/entities/user.entity';
import { seedInstitute, seedMembership, seedUser, signedIn, uniqueEmail } from '../support/factories';
import { Browser, freePort, OidcIdp } from '../support/sso';
import { createTestApp, TestApp } from '../support/test-app';

const FRONTEND = 'http://frontend.test/sso/callback';
const DOMAIN = 'ampere.example.edu';
const CLIENT_SECRET = `client-secret-${randomUUID()}`;

/**
 * OpenID Connect sign-in over HTTP, a browser's way, against a real OpenID
 * provider (oidc-provider in its own process, PKCE required), on MariaDB.
 */
describe('Single sign-on: OpenID Connect', () => {
  let t: TestApp;
  let idp: OidcIdp;
  let publicUrl: string;
  let staffToken: string;
  let instituteId: string;
  let providerId: string;
  let replica: TestApp | undefined;

  beforeAll(async () => {
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}`;
    idp = await OidcIdp.start([{ client_id: 'oktonine', client_secret: CLIENT_SECRET, redirect_uris: [`${publicUrl}/api/auth/sso/oidc/callback`] }]);
    t = await createTestApp({ listen: true, env: { PORT: String(port), PUBLIC_URL: publicUrl } });
    staffToken = (await signedIn(t, { isStaff: true })).token;
    instituteId = (await seedInstitute(t)).id;
    providerId = (await createProvider()).id;
  });
  afterAll(async () => {
    // The replica first: Passport's strategies are process-wide, the last app's serves both.
    await replica?.close();
    await t?.close();
    await idp?.stop();
  });
  afterEach(() => idp.tamper(null));

  const as = (token: string) => ({ Authorization: `Bearer ${token}` });

  async function createProvider(overrides: Record<string, unknown> = {}) {
    const res = await t
      .http()
      .post(`/api/institutes/${instituteId}/identity-providers`)
      .set(as(staffToken))
      .send({
        protocol: 'oidc',
        name: 'Ampère (OIDC)',
        domains: [DOMAIN],
        allowedRedirectUris: [FRONTEND],
        jit: 'create',
        roleMapping: [
          { claim: 'affiliation', value: 'faculty', role: 'teacher' },
          { claim: 'affiliation', value: 'student', role: 'student' },
        ],
        oidc: { issuer: idp.issuer, clientId: 'oktonine', clientSecret: CLIENT_SECRET },
        ...overrides,
      });
    expect(res.status).toBe(201);
    return res.body as { id: string };
  }

  const startUrl = (id = providerId, redirectUri = FRONTEND) => `${publicUrl}/api/auth/sso/${id}/start?redirectUri=${encodeURIComponent(redirectUri)}`;

  /** A person signs in at the IdP; returns where the browser lands on the frontend. */
  async function signIn(claims: Record<string, unknown>, opts: { sub?: string; provider?: string; stopAt?: string } = {}): Promise<URL> {
    const sub = opts.sub ?? randomUUID();
    await idp.setAccount(sub, { email_verified: true, ...claims });
    return new Browser(opts.stopAt ?? FRONTEND).run(startUrl(opts.provider), { login: sub, password: 'any' });
  }

  const person = (label = 'p') => ({ email: `${label}.${randomUUID().slice(0, 8)}@${DOMAIN}`, given_name: 'Ada', family_name: 'Lovelace' });

  async function exchange(code: string, redirectUri = FRONTEND) {
    return t.http().post('/api/auth/sso/exchange').send({ code, redirectUri });
  }

  const usersWith = (email: string) => t.dataSource.getRepository(User).countBy({ email });

  it('creates a person just in time: verified, no password, active teacher by role mapping; the code gives a token pair once', async () => {
    const claims = { ...person('teacher'), affiliation: ['faculty', 'member'] };
    const landed = await signIn(claims);
    expect(landed.origin + landed.pathname).toBe(FRONTEND);
    const code = landed.searchParams.get('code')!;
    expect(code).toBeTruthy();

    const res = await exchange(code);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ accessToken: expect.any(String), refreshToken: expect.any(String), user: { email: claims.email, emailVerified: true } });
    const me = await t.http().get('/api/me').set(as(res.body.accessToken)).expect(200);
    expect(me.body).toMatchObject({ firstName: 'Ada', lastName: 'Lovelace' });
    expect(me.body.memberships).toEqual([expect.objectContaining({ role: 'teacher', status: 'active' })]);

    const user = await t.dataSource
      .getRepository(User)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.email = :e', { e: claims.email })
      .getOneOrFail();
    expect(user.passwordHash).toBeNull();
    const actions = (await t.dataSource.getRepository(AuditEntry).findBy({ targetId: user.id })).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['sso.user_created', 'sso.linked', 'sso.sign_in']));

    // Single use.
    expect((await exchange(code)).body).toMatchObject({ statusCode: 401, code: 'INVALID_TOKEN' });
  });

  it('maps unlisted affiliations to the default role, and never grants manager', async () => {
    const landed = await signIn({ ...person('student'), affiliation: 'alum' });
    const { body } = await exchange(landed.searchParams.get('code')!);
    const membership = await t.dataSource.getRepository(Membership).findOneByOrFail({ userId: body.user.id, instituteId });
    expect(membership.role).toBe(MembershipRole.Student);

    const refused = await t
      .http()
      .post(`/api/institutes/${instituteId}/identity-providers`)
      .set(as(staffToken))
      .send({
        protocol: 'oidc',
        name: 'x',
        domains: [DOMAIN],
        allowedRedirectUris: [FRONTEND],
        roleMapping: [{ claim: 'affiliation', value: 'staff', role: 'manager' }],
        oidc: { issuer: idp.issuer, clientId: 'oktonine' },
      });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('VALIDATION_FAILED');
  });

  it('links an existing account of a vouched domain (email verified, names refreshed); then the link wins whatever the email claim says', async () => {
    const existing = await seedUser(t, { email: `known.${randomUUID().slice(0, 8)}@${DOMAIN}`, verified: false, firstName: 'Old' });
    const sub = randomUUID();
    const landed = await signIn({ email: existing.email, given_name: 'Grace', family_name: 'Hopper' }, { sub });
    const { body } = await exchange(landed.searchParams.get('code')!);
    expect(body.user).toMatchObject({ id: existing.id, emailVerified: true, firstName: 'Grace', lastName: 'Hopper' });
    expect(await t.dataSource.getRepository(ExternalIdentity).countBy({ providerId, subject: sub, userId: existing.id })).toBe(1);

    const again = await signIn({ email: `renamed.${randomUUID().slice(0, 8)}@${DOMAIN}`, given_name: 'Grace', family_name: 'Brewster' }, { sub });
    expect((await exchange(again.searchParams.get('code')!)).body.user).toMatchObject({ id: existing.id, lastName: 'Brewster' });
  });

  it('never links or creates an account outside the provider’s domains (nOAuth): SSO_EMAIL_DOMAIN_NOT_ALLOWED, nothing written', async () => {
    const victim = await seedUser(t, { email: uniqueEmail('victim') });
    const sub = randomUUID();
    const landed = await signIn({ email: victim.email, given_name: 'Eve', family_name: 'Attacker' }, { sub });
    expect(landed.searchParams.get('error')).toBe('SSO_EMAIL_DOMAIN_NOT_ALLOWED');
    expect(landed.searchParams.get('code')).toBeNull();
    expect(await t.dataSource.getRepository(ExternalIdentity).countBy({ subject: sub })).toBe(0);
    expect(await t.dataSource.getRepository(User).findOneByOrFail({ id: victim.id })).toMatchObject({ firstName: 'Test', lastName: 'User' });

    const stranger = uniqueEmail('stranger');
    expect((await signIn({ email: stranger })).searchParams.get('error')).toBe('SSO_EMAIL_DOMAIN_NOT_ALLOWED');
    expect(await usersWith(stranger)).toBe(0);
    // An address the IdP itself says is unverified is not vouched for either.
    const unverified = person('unverified');
    expect((await signIn({ ...unverified, email_verified: false })).searchParams.get('error')).toBe('SSO_EMAIL_DOMAIN_NOT_ALLOWED');
    expect(await usersWith(unverified.email)).toBe(0);
  });

  it('a disabled account signs in by single sign-on no more than with a password (ACCOUNT_DISABLED)', async () => {
    const existing = await seedUser(t, { email: `disabled.${randomUUID().slice(0, 8)}@${DOMAIN}` });
    const sub = randomUUID();
    await t.dataSource.getRepository(User).update({ id: existing.id }, { disabledAt: new Date() });
    const landed = await signIn({ email: existing.email, given_name: 'Dis', family_name: 'Abled' }, { sub });
    expect(landed.searchParams.get('error')).toBe('ACCOUNT_DISABLED');
    expect(landed.searchParams.get('code')).toBeNull();
    // Nothing of the refused sign-in is kept: no link to the disabled account.
    expect(await t.dataSource.getRepository(ExternalIdentity).countBy({ subject: sub })).toBe(0);
  });

  it('without just-in-time creation, an unknown person gets SSO_NO_ACCOUNT and nothing is created', async () => {
    const closed = await createProvider({ jit: 'off', name: 'No JIT' });
    const p = person('nojit');
    const landed = await signIn(p, { provider: closed.id });
    expect(landed.searchParams.get('error')).toBe('SSO_NO_ACCOUNT');
    expect(await usersWith(p.email)).toBe(0);
  });

  it('a disabled account signs in no more through its IdP (ACCOUNT_DISABLED), nor with a code issued before', async () => {
    const sub = randomUUID();
    const first = await signIn(person('disabled'), { sub });
    const { body } = await exchange(first.searchParams.get('code')!);
    const pending = (await signIn(person('disabled'), { sub })).searchParams.get('code')!;
    await t.http().post(`/api/admin/users/${body.user.id}/disable`).set(as(staffToken)).expect(204);

    const landed = await signIn(person('disabled'), { sub });
    expect(landed.searchParams.get('error')).toBe('ACCOUNT_DISABLED');
    const late = await exchange(pending);
    expect(late.status).toBe(403);
    expect(late.body.code).toBe('ACCOUNT_DISABLED');
    // An unlinked disabled account of the domain is not linked either.
    const unlinked = await seedUser(t, { email: `off.${randomUUID().slice(0, 8)}@${DOMAIN}` });
    await t.http().post(`/api/admin/users/${unlinked.id}/disable`).set(as(staffToken)).expect(204);
    const refused = await signIn({ email: unlinked.email, given_name: 'X', family_name: 'Y' });
    expect(refused.searchParams.get('error')).toBe('ACCOUNT_DISABLED');
    expect(await t.dataSource.getRepository(ExternalIdentity).countBy({ userId: unlinked.id })).toBe(0);
  });

  it('a person’s IdP links are in their data export and go with an erasure', async () => {
    const sub = randomUUID();
    const { body } = await exchange((await signIn(person('gdpr'), { sub })).searchParams.get('code')!);
    const exported = await t.http().get('/api/me/export').set(as(body.accessToken)).expect(200);
    expect(exported.body.identityProviderLinks).toEqual([
      { provider: 'Ampère (OIDC)', protocol: 'oidc', subject: sub, linkedAt: expect.any(String), lastSignInAt: expect.any(String) },
    ]);
    await t.http().delete(`/api/admin/users/${body.user.id}`).set(as(staffToken)).expect(204);
    expect(await t.dataSource.getRepository(ExternalIdentity).countBy({ subject: sub })).toBe(0);
  });

  it('a disabled provider signs nobody in (SSO_PROVIDER_DISABLED)', async () => {
    const off = await createProvider({ name: 'Off' });
    await t.http().patch(`/api/institutes/${instituteId}/identity-providers/${off.id}`).set(as(staffToken)).send({ enabled: false }).expect(200);
    const res = await t.http().get(`/api/auth/sso/${off.id}/start`).query({ redirectUri: FRONTEND }).expect(302);
    expect(new URL(res.headers.location).searchParams.get('error')).toBe('SSO_PROVIDER_DISABLED');
  });

  describe('redirect URIs and one-time codes', () => {
    it('starts only for a redirectUri equal to an allowed one (no prefix, no other query, no open redirect)', async () => {
      for (const uri of [
        `${FRONTEND}/../evil`,
        `${FRONTEND}?next=https://evil.example`,
        'http://frontend.test/sso/callbackx',
        'https://evil.example/sso/callback',
        FRONTEND.toUpperCase(),
      ]) {
        const res = await t.http().get(`/api/auth/sso/${providerId}/start`).query({ redirectUri: uri });
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('SSO_REDIRECT_NOT_ALLOWED');
        expect(res.headers.location).toBeUndefined();
      }
      const unknown = await t.http().get(`/api/auth/sso/${randomUUID()}/start`).query({ redirectUri: FRONTEND });
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe('IDENTITY_PROVIDER_NOT_FOUND');
    });

    it('a code is bound to its redirect URI (another one is refused and does not spend it) and lives 60 seconds', async () => {
      const code = (await signIn(person('bound'))).searchParams.get('code')!;
      expect((await exchange(code, 'https://evil.example/cb')).status).toBe(401);
      expect((await exchange(code)).status).toBe(200);

      const late = (await signIn(person('late'))).searchParams.get('code')!;
      const row = await t.dataSource.getRepository(SsoCode).findOneByOrFail({ codeHash: sha256(late) });
      // 60 s after issue (the stored expiry is issue + 60 s).
      expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(60_000);
      await t.dataSource.getRepository(SsoCode).update({ id: row.id }, { expiresAt: new Date(Date.now() - 1000) });
      expect((await exchange(late)).body).toMatchObject({ statusCode: 401, code: 'INVALID_TOKEN' });
      expect((await exchange('not-a-code')).status).toBe(401);
    });

    it('two concurrent exchanges of one code: exactly one gets tokens', async () => {
      const code = (await signIn(person('race'))).searchParams.get('code')!;
      const results = await Promise.all([exchange(code), exchange(code), exchange(code)]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 401, 401]);
    });
  });

  describe('state, and requests that survive a restart', () => {
    const callback = () => `${publicUrl}/api/auth/sso/oidc/callback`;

    it('refuses a callback whose state this server never issued, or already finished (SSO_STATE_INVALID)', async () => {
      const forged = await t.http().get('/api/auth/sso/oidc/callback').query({ state: 'forged', code: 'x' });
      expect(forged.status).toBe(400);
      expect(forged.body.code).toBe('SSO_STATE_INVALID');
      expect((await t.http().get('/api/auth/sso/oidc/callback').query({ code: 'x' })).body.code).toBe('SSO_STATE_INVALID');

      await idp.setAccount('replayed', { ...person('replay'), email_verified: true });
      const atCallback = await new Browser(callback()).run(startUrl(), { login: 'replayed', password: 'x' });
      const first = await t.http().get(atCallback.pathname + atCallback.search);
      expect(first.status).toBe(302);
      expect(new URL(first.headers.location).searchParams.get('code')).toBeTruthy();
      const second = await t.http().get(atCallback.pathname + atCallback.search);
      expect(second.status).toBe(400);
      expect(second.body.code).toBe('SSO_STATE_INVALID');
    });

    it('an IdP that refuses the sign-in (the person cancelled) sends the frontend SSO_IDP_ERROR', async () => {
      const started = await t.http().get(`/api/auth/sso/${providerId}/start`).query({ redirectUri: FRONTEND }).expect(302);
      const authorize = new URL(started.headers.location);
      expect(authorize.origin).toBe(idp.issuer);
      expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
      const state = authorize.searchParams.get('state')!;
      const res = await t.http().get('/api/auth/sso/oidc/callback').query({ state, error: 'access_denied', iss: idp.issuer }).expect(302);
      expect(new URL(res.headers.location).searchParams.get('error')).toBe('SSO_IDP_ERROR');
    });

    it('a sign-in started on one instance finishes on another (restart, replicas): state, nonce and PKCE verifier are in the database', async () => {
      const other = await freePort();
      await idp.setAccount('replica', { ...person('replica'), email_verified: true });
      const atCallback = await new Browser(callback()).run(startUrl(), { login: 'replica', password: 'x' });
      // A new instance on the same database, with nothing of the first one's memory.
      replica = await createTestApp({ shareWith: t, listen: true, env: { PORT: String(other) } });
      const res = await fetch(`http://127.0.0.1:${other}${atCallback.pathname}${atCallback.search}`, { redirect: 'manual' });
      expect(res.status).toBe(302);
      const code = new URL(res.headers.get('location')!).searchParams.get('code')!;
      // And the code the new instance issued is exchanged on the first one.
      expect((await exchange(code)).status).toBe(200);
    });

    it('two first sign-ins of one person at once make one account and one link', async () => {
      const sub = randomUUID();
      const p = person('twice');
      await idp.setAccount(sub, { ...p, email_verified: true });
      const [a, b] = await Promise.all([0, 1].map(() => new Browser(callback()).run(startUrl(), { login: sub, password: 'x' })));
      const landed = await Promise.all([a, b].map((u) => t.http().get(u.pathname + u.search)));
      const codes = landed.map((r) => new URL(r.headers.location).searchParams.get('code'));
      expect(codes.every(Boolean)).toBe(true);
      const users = await Promise.all(codes.map(async (c) => (await exchange(c!)).body.user.id));
      expect(users[0]).toBe(users[1]);
      expect(await usersWith(p.email)).toBe(1);
      expect(await t.dataSource.getRepository(ExternalIdentity).countBy({ subject: sub })).toBe(1);
    });

    it('PKCE: an authorization code delivered with another sign-in’s state is refused (its verifier does not match)', async () => {
      await idp.setAccount('pkce-victim', { ...person('victim'), email_verified: true });
      await idp.setAccount('pkce-attacker', { ...person('attacker'), email_verified: true });
      const victim = await new Browser(callback()).run(startUrl(), { login: 'pkce-victim', password: 'x' });
      const attacker = await new Browser(callback()).run(startUrl(), { login: 'pkce-attacker', password: 'x' });
      const injected = new URL(attacker.href);
      injected.searchParams.set('code', victim.searchParams.get('code')!);
      const res = await t
        .http()
        .get(injected.pathname + injected.search)
        .expect(302);
      expect(new URL(res.headers.location).searchParams.get('error')).toBe('SSO_ASSERTION_INVALID');
    });
  });

  describe('the ID token is checked, whatever the token endpoint returns', () => {
    // Every row has three entries: with fewer, Jest would pass `done` as the third argument.
    const refused: Array<[string, Parameters<OidcIdp['tamper']>[0], Record<string, unknown>]> = [
      ['a nonce from another request', 'claims', { nonce: 'someone-elses-nonce' }],
      ['another issuer', 'claims', { iss: 'https://evil.example' }],
      ['another audience', 'claims', { aud: 'another-client' }],
      ['an expired token', 'claims', { exp: Math.floor(Date.now() / 1000) - 3600, iat: Math.floor(Date.now() / 1000) - 7200 }],
      ['a signature by another key (same kid)', 'other-key', {}],
      ['alg: none', 'alg-none', {}],
      ['HS256 keyed with the IdP’s public key', 'hs256-public-key', {}],
    ];
    it.each(refused)('refuses %s (SSO_ASSERTION_INVALID), nothing created', async (_label, mode, claims) => {
      await idp.tamper(mode, claims);
      const p = person('tampered');
      const landed = await signIn(p);
      expect(landed.searchParams.get('error')).toBe('SSO_ASSERTION_INVALID');
      expect(await usersWith(p.email)).toBe(0);
    });
  });

  describe('managing providers', () => {
    it('staff create and change; the institute’s managers read, never the secret; others get 403/404', async () => {
      const manager = await signedIn(t);
      await seedMembership(t, manager.id, instituteId, MembershipRole.Manager);
      const list = await t.http().get(`/api/institutes/${instituteId}/identity-providers`).set(as(manager.token)).expect(200);
      const mine = list.body.find((p: { id: string }) => p.id === providerId);
      expect(mine).toMatchObject({ protocol: 'oidc', domains: [DOMAIN], oidc: { issuer: idp.issuer, clientId: 'oktonine', hasClientSecret: true } });
      expect(JSON.stringify(list.body)).not.toContain(CLIENT_SECRET);
      expect(mine.oidc.clientSecret).toBeUndefined();

      await t.http().post(`/api/institutes/${instituteId}/identity-providers`).set(as(manager.token)).send({}).expect(403);
      await t
        .http()
        .patch(`/api/institutes/${instituteId}/identity-providers/${providerId}`)
        .set(as(manager.token))
        .send({ domains: ['evil.example'] })
        .expect(403);
      const outsider = await signedIn(t);
      await t
        .http()
        .get(`/api/institutes/${instituteId}/identity-providers/${providerId}`)
        .set(as(outsider.token))
        .expect((r) => expect([403, 404]).toContain(r.status));
      const elsewhere = await seedInstitute(t);
      const notHere = await t.http().get(`/api/institutes/${elsewhere.id}/identity-providers/${providerId}`).set(as(staffToken));
      expect(notHere.status).toBe(404);
      expect(notHere.body.code).toBe('IDENTITY_PROVIDER_NOT_FOUND');

      // Encrypted at rest.
      const row = await t.dataSource
        .getRepository(IdentityProvider)
        .createQueryBuilder('p')
        .addSelect('p.encryptedSecret')
        .where('p.id = :id', { id: providerId })
        .getOneOrFail();
      expect(row.encryptedSecret).toBeTruthy();
      expect(row.encryptedSecret).not.toContain(CLIENT_SECRET);

      // A PATCH may give only a new client secret: the rest of the OIDC settings stay.
      const other = await createProvider({ name: 'Rotating' });
      const patched = await t
        .http()
        .patch(`/api/institutes/${instituteId}/identity-providers/${other.id}`)
        .set(as(staffToken))
        .send({ oidc: { clientSecret: 'rotated-secret' } })
        .expect(200);
      expect(patched.body.oidc).toEqual({ issuer: idp.issuer, clientId: 'oktonine', scopes: ['openid', 'email', 'profile'], hasClientSecret: true });
      const audit = await t.dataSource.getRepository(AuditEntry).findBy({ targetId: other.id });
      expect(audit.map((a) => a.action).sort()).toEqual(['sso.provider.created', 'sso.provider.updated']);
      expect(JSON.stringify(audit)).not.toContain('rotated-secret');
    });

    it('documents every single sign-on route in Swagger, each with an operationId', async () => {
      const doc = await t.http().get('/docs-json').expect(200);
      const paths = doc.body.paths as Record<string, Record<string, { operationId?: string; tags?: string[] }>>;
      const routes = [
        'get /api/institutes/{instituteId}/identity-providers',
        'post /api/institutes/{instituteId}/identity-providers',
        'get /api/institutes/{instituteId}/identity-providers/{providerId}',
        'patch /api/institutes/{instituteId}/identity-providers/{providerId}',
        'delete /api/institutes/{instituteId}/identity-providers/{providerId}',
        'get /api/auth/sso/discover',
        'get /api/auth/sso/{providerId}/start',
        'get /api/auth/sso/oidc/callback',
        'post /api/auth/sso/saml/acs',
        'get /api/auth/sso/saml/{providerId}/metadata',
        'post /api/auth/sso/exchange',
      ];
      for (const route of routes) {
        const [method, path] = route.split(' ');
        expect({ route, operationId: paths[path]?.[method]?.operationId }).toEqual({ route, operationId: expect.stringMatching(/^[a-z][A-Za-z]+$/) });
        expect(paths[path][method].tags).toContain('sso');
      }
    });

    it('discovers the providers that can sign an email in, by its domain', async () => {
      const res = await t
        .http()
        .get('/api/auth/sso/discover')
        .query({ email: `someone@${DOMAIN.toUpperCase()}` })
        .expect(200);
      expect(res.body.providers).toEqual(expect.arrayContaining([{ id: providerId, name: 'Ampère (OIDC)', protocol: 'oidc', instituteId }]));
      expect((await t.http().get('/api/auth/sso/discover').query({ email: 'someone@elsewhere.example' }).expect(200)).body).toEqual({ providers: [] });
    });
  });

  // Last: it restarts the IdP.
  it('follows the IdP’s key rotation: a token signed with a key it has not seen refetches the JWKS', async () => {
    expect((await signIn(person('before'))).searchParams.get('code')).toBeTruthy();
    const oldKid = idp.kid;
    await idp.rotateKeys();
    expect(idp.kid).not.toBe(oldKid);
    const landed = await signIn(person('after'));
    expect(landed.searchParams.get('error')).toBeNull();
    expect((await exchange(landed.searchParams.get('code')!)).status).toBe(200);
  });
});
