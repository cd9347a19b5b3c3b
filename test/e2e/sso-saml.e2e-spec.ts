import { randomUUID } from 'node:crypto';
import { MembershipRole } from '../../src/auth/roles';
import { Membership } from '../../src/memberships/entities/membership.entity';
import { ExternalIdentity } from '../../src/sso/entities/external-identity.entity';
import { SamlSeenAssertion } from '../../src/sso/entities/sso-request.entity';
import { User } from '../../src/users/entities/user.entity';
import { seedInstitute, seedUser, signedIn } from '../support/factories';
import { Assertion, SamlIdp, sign, signingKey } from '../support/saml-idp';
import { Browser, freePort } from '../support/sso';
import { createTestApp, TestApp } from '../support/test-app';

const FRONTEND = 'http://frontend.test/sso/callback';
const DOMAIN = 'lycee-ampere.example.edu';
const MAIL = 'urn:oid:0.9.2342.19200300.100.1.3';
const GIVEN_NAME = 'urn:oid:2.5.4.42';
const SURNAME = 'urn:oid:2.5.4.4';
const AFFILIATION = 'urn:oid:1.3.6.1.4.1.5923.1.1.1.1';

/**
 * SAML 2.0 sign-in over HTTP, a browser's way: our AuthnRequest by
 * HTTP-Redirect to a test IdP, which answers with a form posting a response
 * signed by its test key (xml-crypto) to our ACS; on MariaDB.
 */
describe('Single sign-on: SAML 2.0', () => {
  let t: TestApp;
  let replica: TestApp | undefined;
  let idp: SamlIdp;
  let publicUrl: string;
  let staffToken: string;
  let instituteId: string;
  let providerId: string;

  beforeAll(async () => {
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}`;
    idp = await SamlIdp.start();
    t = await createTestApp({ listen: true, env: { PORT: String(port), PUBLIC_URL: publicUrl } });
    staffToken = (await signedIn(t, { isStaff: true })).token;
    instituteId = (await seedInstitute(t)).id;
    // The institution's IT handed over its IdP metadata: pasted in as is.
    const res = await t
      .http()
      .post(`/api/institutes/${instituteId}/identity-providers`)
      .set({ Authorization: `Bearer ${staffToken}` })
      .send({
        protocol: 'saml',
        name: 'Lycée Ampère (Shibboleth)',
        domains: [DOMAIN],
        allowedRedirectUris: [FRONTEND],
        jit: 'create',
        roleMapping: [
          { claim: AFFILIATION, value: 'faculty', role: 'teacher' },
          { claim: AFFILIATION, value: 'student', role: 'student' },
        ],
        saml: { metadataXml: idp.metadataXml() },
      });
    expect(res.status).toBe(201);
    providerId = res.body.id;
  });
  afterAll(async () => {
    await replica?.close();
    await t?.close();
    await idp?.stop();
  });
  afterEach(() => {
    idp.respond = null;
  });

  /** Another instance on the same database; its auth throttle is low (the counter is shared in Redis). */
  const secondInstance = async () => createTestApp({ shareWith: t, env: { PORT: String(await freePort()), AUTH_THROTTLE_LIMIT: '3' } });

  const acsUrl = () => `${publicUrl}/api/auth/sso/saml/acs`;
  const startUrl = () => `${publicUrl}/api/auth/sso/${providerId}/start?redirectUri=${encodeURIComponent(FRONTEND)}`;

  function person(label: string, affiliation: string | string[] = 'student') {
    const email = `${label}.${randomUUID().slice(0, 8)}@${DOMAIN}`;
    return { nameId: `id-${randomUUID()}`, attributes: { [MAIL]: email, [GIVEN_NAME]: 'Marie', [SURNAME]: 'Curie', [AFFILIATION]: affiliation }, email };
  }

  /** A person signs in at the IdP; returns where the browser lands on the frontend. */
  async function signIn(p: ReturnType<typeof person>, respond: SamlIdp['respond'] = null, stopAt = FRONTEND): Promise<URL> {
    idp.person = p;
    idp.respond = respond;
    return new Browser(stopAt).run(startUrl());
  }

  const exchange = (code: string) => t.http().post('/api/auth/sso/exchange').send({ code, redirectUri: FRONTEND });
  const usersWith = (email: string) => t.dataSource.getRepository(User).countBy({ email });

  /** Posts a response to the ACS as the browser would, with the RelayState of a request we made. */
  const postAcs = (samlXml: string, relayState: string, app: TestApp = t) =>
    app
      .http()
      .post('/api/auth/sso/saml/acs')
      .type('form')
      .send({ SAMLResponse: Buffer.from(samlXml).toString('base64'), RelayState: relayState });

  it('serves the SP metadata an institution configures its IdP with (entity id and ACS URL from PUBLIC_URL)', async () => {
    const res = await t.http().get(`/api/auth/sso/saml/${providerId}/metadata`).expect(200);
    expect(res.headers['content-type']).toMatch(/xml/);
    expect(res.text).toContain(`entityID="${publicUrl}/api/auth/sso/saml/${providerId}/metadata"`);
    expect(res.text).toContain(`Location="${acsUrl()}"`);
    expect((await t.http().get(`/api/auth/sso/saml/${randomUUID()}/metadata`)).body.code).toBe('IDENTITY_PROVIDER_NOT_FOUND');
  });

  it('sends an AuthnRequest by HTTP-Redirect, then creates the person just in time from the signed assertion (eduPersonAffiliation faculty → teacher)', async () => {
    const p = person('teacher', ['member', 'faculty']);
    const landed = await signIn(p);
    const request = idp.requests.at(-1)!;
    expect(request).toMatchObject({ acsUrl: acsUrl(), destination: idp.ssoUrl, issuer: `${publicUrl}/api/auth/sso/saml/${providerId}/metadata` });
    expect(request.relayState).toBeTruthy();

    const code = landed.searchParams.get('code')!;
    const res = await exchange(code);
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ email: p.email, firstName: 'Marie', lastName: 'Curie', emailVerified: true });
    const membership = await t.dataSource.getRepository(Membership).findOneByOrFail({ userId: res.body.user.id, instituteId });
    expect(membership).toMatchObject({ role: MembershipRole.Teacher, status: 'active' });
    expect(await t.dataSource.getRepository(ExternalIdentity).countBy({ providerId, subject: p.nameId, userId: res.body.user.id })).toBe(1);
    expect((await exchange(code)).status).toBe(401);
  });

  it('accepts a response signed as a whole as well as its assertion (what many IdPs send)', async () => {
    const p = person('both');
    const landed = await signIn(p, (a) => ({ ...a, sign: 'both' }));
    expect((await exchange(landed.searchParams.get('code')!)).body.user).toMatchObject({ email: p.email });
  });

  it('links an existing account of the domain and refreshes its names at each sign-in', async () => {
    const p = person('known');
    const existing = await seedUser(t, { email: p.email, firstName: 'Old', lastName: 'Name' });
    const first = await exchange((await signIn(p)).searchParams.get('code')!);
    expect(first.body.user).toMatchObject({ id: existing.id, firstName: 'Marie', lastName: 'Curie' });
    p.attributes[SURNAME] = 'Skłodowska-Curie';
    const second = await exchange((await signIn(p)).searchParams.get('code')!);
    expect(second.body.user).toMatchObject({ id: existing.id, lastName: 'Skłodowska-Curie' });
  });

  it('refuses an asserted email outside the provider’s domains, creating nothing', async () => {
    const victim = await seedUser(t);
    const p = { ...person('outsider'), email: victim.email };
    p.attributes[MAIL] = victim.email;
    expect((await signIn(p)).searchParams.get('error')).toBe('SSO_EMAIL_DOMAIN_NOT_ALLOWED');
    expect(await t.dataSource.getRepository(ExternalIdentity).countBy({ subject: p.nameId })).toBe(0);
  });

  describe('every response is checked', () => {
    const cases: Array<[string, (a: Assertion) => Assertion]> = [
      ['an unsigned response and assertion', (a) => ({ ...a, sign: 'none' })],
      ['a signed response around an unsigned assertion', (a) => ({ ...a, sign: 'response' })],
      ['an audience other than this provider’s entity id', (a) => ({ ...a, audience: 'https://another-sp.example' })],
      ['a Destination other than our ACS', (a) => ({ ...a, destination: 'https://another-sp.example/acs' })],
      ['a Recipient other than our ACS', (a) => ({ ...a, recipient: 'https://another-sp.example/acs' })],
      ['an assertion not valid yet (NotBefore in 10 minutes)', (a) => ({ ...a, notBefore: new Date(Date.now() + 10 * 60_000) })],
      ['an expired assertion (NotOnOrAfter 10 minutes ago)', (a) => ({ ...a, notOnOrAfter: new Date(Date.now() - 10 * 60_000) })],
      ['an unsolicited response (no InResponseTo)', (a) => ({ ...a, inResponseTo: null })],
      ['a response to a request this server never made', (a) => ({ ...a, inResponseTo: `_${randomUUID()}` })],
      ['an assertion from another issuer', (a) => ({ ...a, issuer: 'https://evil-idp.example' })],
    ];
    it.each(cases)('refuses %s (SSO_ASSERTION_INVALID), nothing created', async (_label, bend) => {
      const p = person('bent');
      const landed = await signIn(p, (a) => bend(a));
      expect(landed.searchParams.get('error')).toBe('SSO_ASSERTION_INVALID');
      expect(await usersWith(p.email)).toBe(0);
    });

    it('refuses an assertion signed by another key', async () => {
      const other = await signingKey('Evil IdP');
      const p = person('otherkey');
      expect((await signIn(p, (a) => ({ ...a, key: other }))).searchParams.get('error')).toBe('SSO_ASSERTION_INVALID');
      expect(await usersWith(p.email)).toBe(0);
    });

    it('refuses signature wrapping: a forged assertion around the genuinely signed one', async () => {
      const attacker = person('attacker');
      const victim = await seedUser(t, { email: `victim.${randomUUID().slice(0, 8)}@${DOMAIN}` });
      const landed = await signIn(attacker, (a, request) => {
        // The IdP signed the attacker's own assertion; the attacker wraps it in one naming the victim.
        const genuine = sign(idp.response({ ...a, sign: 'none' }).match(/<saml:Assertion[\s\S]*<\/saml:Assertion>/)![0], 'Assertion', idp.signing);
        const forged = idp
          .response({ ...a, sign: 'none', nameId: 'victim', attributes: { [MAIL]: victim.email } })
          .match(/<saml:Assertion[\s\S]*<\/saml:Assertion>/)![0]
          .replace('<saml:Subject>', `<saml:Advice>${genuine}</saml:Advice><saml:Subject>`);
        return `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_w${randomUUID().replace(/-/g, '')}" Version="2.0" IssueInstant="${new Date().toISOString()}" Destination="${request.acsUrl}" InResponseTo="${request.id}"><saml:Issuer>${idp.entityId}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>${forged}</samlp:Response>`;
      });
      expect(landed.searchParams.get('error')).toBe('SSO_ASSERTION_INVALID');
      expect(await t.dataSource.getRepository(ExternalIdentity).countBy({ userId: victim.id })).toBe(0);
    });

    it('refuses a comment injected into a signed NameID and email (the signature ignores comments; we refuse them)', async () => {
      const victim = await seedUser(t, { email: `victim.${randomUUID().slice(0, 8)}@${DOMAIN}` });
      // The attacker's own IdP account is victim@…edu.evil.example; the comment would cut it to the victim's address.
      const p = person('comment');
      p.nameId = `${victim.email}.evil.example`;
      p.attributes[MAIL] = `${victim.email}.evil.example`;
      const landed = await signIn(p, (a) => {
        const signed = idp.response(a);
        return signed.split(`${victim.email}.evil.example`).join(`${victim.email}<!---->.evil.example`);
      });
      expect(landed.searchParams.get('error')).toBe('SSO_ASSERTION_INVALID');
      expect(await t.dataSource.getRepository(ExternalIdentity).countBy({ userId: victim.id })).toBe(0);
    });
  });

  describe('requests, replays and replicas', () => {
    it('refuses a response whose RelayState names no request of ours (SSO_STATE_INVALID, no redirect)', async () => {
      const res = await postAcs('<x/>', 'unknown-relay-state');
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('SSO_STATE_INVALID');
      expect(res.headers.location).toBeUndefined();
    });

    it('refuses a replayed assertion id, in a later answer and on another instance', async () => {
      const p = person('replay');
      const first = await signIn(p);
      expect(first.searchParams.get('code')).toBeTruthy();
      const used = /<saml:Assertion[^>]*ID="([^"]+)"/.exec(idp.issued.at(-1)!)![1];
      expect(await t.dataSource.getRepository(SamlSeenAssertion).countBy({ providerId, assertionId: used })).toBe(1);

      // The same assertion id in the answer to a new request of ours.
      const again = await signIn(p, (a) => ({ ...a, assertionId: used }));
      expect(again.searchParams.get('error')).toBe('SSO_ASSERTION_INVALID');

      // The very same response posted again, to another instance on the same database.
      replica ??= await secondInstance();
      const replayed = await postAcs(idp.issued.at(-2)!, idp.requests.at(-2)!.relayState, replica);
      expect([302, 400]).toContain(replayed.status);
      if (replayed.status === 302) expect(new URL(replayed.headers.location).searchParams.get('code')).toBeNull();
      else expect(replayed.body.code).toBe('SSO_STATE_INVALID');
    });

    it('a sign-in started on one instance finishes on another (the AuthnRequest id is in the database)', async () => {
      const p = person('replica');
      const atAcs = await signIn(p, null, acsUrl());
      expect(atAcs.href).toBe(acsUrl());
      replica ??= await secondInstance();
      const res = await postAcs(idp.issued.at(-1)!, idp.requests.at(-1)!.relayState, replica).expect(302);
      const code = new URL(res.headers.location).searchParams.get('code')!;
      expect((await exchange(code)).status).toBe(200);
    });
  });

  it('throttles discover and start per address, never the ACS (a whole school signs in from one address)', async () => {
    replica ??= await secondInstance();
    const acs = [];
    for (let i = 0; i < 6; i++) acs.push((await postAcs('<x/>', `unknown-${i}`, replica)).status);
    expect(acs).toEqual([400, 400, 400, 400, 400, 400]);
    const discover = [];
    for (let i = 0; i < 6; i++)
      discover.push(
        (
          await replica
            .http()
            .get('/api/auth/sso/discover')
            .query({ email: `a@${DOMAIN}` })
        ).status,
      );
    expect(discover).toContain(429);
    expect((await replica.http().get(`/api/auth/sso/${providerId}/start`).query({ redirectUri: FRONTEND })).status).toBe(429);
  });

  it('staff may also give the entity id, SSO URL and certificate directly; a bad certificate is refused', async () => {
    const base = { protocol: 'saml', name: 'Direct', domains: [DOMAIN], allowedRedirectUris: [FRONTEND] };
    const ok = await t
      .http()
      .post(`/api/institutes/${instituteId}/identity-providers`)
      .set({ Authorization: `Bearer ${staffToken}` })
      .send({ ...base, saml: { idpEntityId: idp.entityId, ssoUrl: idp.ssoUrl, certificates: [idp.signing.cert] } });
    expect(ok.status).toBe(201);
    expect(ok.body.saml).toMatchObject({ idpEntityId: idp.entityId, acsUrl: acsUrl() });
    const bad = await t
      .http()
      .post(`/api/institutes/${instituteId}/identity-providers`)
      .set({ Authorization: `Bearer ${staffToken}` })
      .send({ ...base, saml: { idpEntityId: idp.entityId, ssoUrl: idp.ssoUrl, certificates: ['not a certificate'] } });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
  });
});
