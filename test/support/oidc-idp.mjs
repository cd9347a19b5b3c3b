// A real OpenID provider (oidc-provider) for the SSO tests, run as its own `node` process.
// Environment: PORT, ISSUER, JWKS (private JWK set, JSON), CLIENTS (oidc-provider client metadata, JSON).
// Besides the provider's own routes (devInteractions login and consent forms), it serves:
//   POST /test/accounts  { sub, claims }  the account a login of `sub` signs in
//   POST /test/tamper    { mode, claims? } rewrites the ID token of the next token responses:
//        "claims" (re-signed with the real key after merging `claims`), "other-key",
//        "alg-none", "hs256-public-key", or null (off); a compromised or broken IdP, on purpose.
import { createServer } from 'node:http';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';
import { SignJWT, decodeJwt, decodeProtectedHeader, importJWK } from 'jose';

const { PORT, ISSUER, JWKS, CLIENTS } = process.env;
const jwks = JSON.parse(JWKS);
const accounts = new Map();
let tamper = null;

const provider = new Provider(ISSUER, {
  clients: JSON.parse(CLIENTS),
  jwks,
  cookies: { keys: ['oidc-test-cookie-key'] },
  conformIdTokenClaims: false,
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['given_name', 'family_name', 'affiliation'] },
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  async findAccount(_ctx, sub) {
    const claims = accounts.get(sub);
    if (!claims) return undefined;
    return { accountId: sub, claims: () => ({ sub, ...claims }) };
  },
});
provider.on('server_error', (_ctx, error) => console.error('server_error', error));

const signingJwk = jwks.keys[0];
const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function rewrite(idToken) {
  const header = decodeProtectedHeader(idToken);
  const payload = { ...decodeJwt(idToken), ...(tamper.claims ?? {}) };
  switch (tamper.mode) {
    case 'claims':
      return new SignJWT(payload).setProtectedHeader(header).sign(await importJWK(signingJwk, 'RS256'));
    case 'other-key': {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      return new SignJWT(payload).setProtectedHeader(header).sign(privateKey);
    }
    case 'alg-none':
      return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`;
    case 'hs256-public-key': {
      const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = signingJwk;
      const pem = createPublicKey({ key: publicJwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
      return new SignJWT(payload).setProtectedHeader({ alg: 'HS256', kid: header.kid }).sign(new TextEncoder().encode(pem));
    }
    default:
      throw new Error(`unknown tamper mode ${tamper.mode}`);
  }
}

provider.use(async (ctx, next) => {
  await next();
  if (tamper && ctx.path === '/token' && ctx.status === 200 && ctx.body?.id_token) {
    ctx.body = { ...ctx.body, id_token: await rewrite(ctx.body.id_token) };
  }
});

const callback = provider.callback();
const readJson = (req) =>
  new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (chunk) => (data += chunk));
    req.on('end', () => resolve(data ? JSON.parse(data) : {}));
    req.on('error', reject);
  });

const server = createServer(async (req, res) => {
  if (req.method === 'POST' && req.url === '/test/accounts') {
    const { sub, claims } = await readJson(req);
    accounts.set(sub, claims);
    res.writeHead(204).end();
    return;
  }
  if (req.method === 'POST' && req.url === '/test/tamper') {
    const body = await readJson(req);
    tamper = body.mode ? body : null;
    res.writeHead(204).end();
    return;
  }
  callback(req, res);
});
server.listen(Number(PORT), '127.0.0.1', () => console.log('ready'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
