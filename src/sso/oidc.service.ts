import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { appConfig } from '../config/configuration';
import { IdentityProvider } from './entities/identity-provider.entity';
import { ssoError, VerifiedIdentity } from './sso-accounts.service';

/** Only signatures by the IdP's public keys: never `none`, never a shared secret (HS*), whatever the token says. */
const ID_TOKEN_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
const CLOCK_TOLERANCE_S = 60;
const DISCOVERY_TTL_MS = 5 * 60_000;

export interface OidcStart {
  url: string;
  state: string;
  nonce: string;
  codeVerifier: string;
}

export const assertionInvalid = (message = 'The identity provider’s answer could not be verified') => ssoError('SSO_ASSERTION_INVALID', message);

/**
 * The OpenID Connect relying party (openid-client): authorization code with
 * PKCE S256, state and nonce; the ID token is then verified again with jose
 * against the IdP's JWKS, also when it came straight from the token endpoint,
 * with the key set fetched anew when a token names a key it does not hold.
 */
@Injectable()
export class OidcService {
  private readonly configs = new Map<string, { config: client.Configuration; at: number; version: string }>();
  private readonly keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

  constructor(@Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>) {}

  get callbackUrl(): string {
    return `${this.app.publicUrl}/api/auth/sso/oidc/callback`;
  }

  async start(provider: IdentityProvider, clientSecret: string | null): Promise<OidcStart> {
    const config = await this.configuration(provider, clientSecret);
    const state = client.randomState();
    const nonce = client.randomNonce();
    const codeVerifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.callbackUrl,
      scope: provider.settings.oidc!.scopes.join(' '),
      response_type: 'code',
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url: url.href, state, nonce, codeVerifier };
  }

  /** The verified identity of a callback; SSO_ASSERTION_INVALID for anything that does not check out. */
  async finish(
    provider: IdentityProvider,
    clientSecret: string | null,
    currentUrl: URL,
    expected: { state: string; nonce: string; codeVerifier: string },
  ): Promise<VerifiedIdentity> {
    const config = await this.configuration(provider, clientSecret);
    let idToken: string | undefined;
    try {
      const tokens = await client.authorizationCodeGrant(config, currentUrl, {
        expectedState: expected.state,
        expectedNonce: expected.nonce,
        pkceCodeVerifier: expected.codeVerifier,
        idTokenExpected: true,
      });
      idToken = tokens.id_token;
    } catch {
      throw assertionInvalid();
    }
    if (!idToken) throw assertionInvalid('No ID token');
    const claims = await this.verifyIdToken(provider, config, idToken, expected.nonce);
    return identityFrom(claims);
  }

  private async verifyIdToken(provider: IdentityProvider, config: client.Configuration, idToken: string, nonce: string) {
    const metadata = config.serverMetadata();
    if (!metadata.jwks_uri) throw assertionInvalid('The identity provider publishes no keys');
    const keySetId = `${provider.id}|${metadata.jwks_uri}`;
    let keys = this.keySets.get(keySetId);
    if (!keys) {
      // An unknown `kid` refetches the key set at once: the IdP rotated its keys.
      keys = createRemoteJWKSet(new URL(metadata.jwks_uri), { cooldownDuration: 0, cacheMaxAge: 10 * 60_000, timeoutDuration: 5000 });
      this.keySets.set(keySetId, keys);
    }
    try {
      const { payload } = await jwtVerify(idToken, keys, {
        algorithms: ID_TOKEN_ALGORITHMS,
        issuer: provider.settings.oidc!.issuer,
        audience: provider.settings.oidc!.clientId,
        requiredClaims: ['sub', 'exp', 'iat', 'nonce'],
        clockTolerance: CLOCK_TOLERANCE_S,
      });
      if (payload.nonce !== nonce) throw new joseErrors.JWTClaimValidationFailed('nonce mismatch', payload, 'nonce');
      return payload;
    } catch {
      throw assertionInvalid();
    }
  }

  private async configuration(provider: IdentityProvider, clientSecret: string | null): Promise<client.Configuration> {
    const version = provider.updatedAt.toISOString();
    const cached = this.configs.get(provider.id);
    if (cached && cached.version === version && Date.now() - cached.at < DISCOVERY_TTL_MS) return cached.config;
    const { issuer, clientId } = provider.settings.oidc!;
    const insecure = new URL(issuer).protocol === 'http:';
    if (insecure && this.app.nodeEnv === 'production') throw ssoError('SSO_IDP_UNREACHABLE', 'The identity provider must be reached over https');
    let config: client.Configuration;
    try {
      config = await client.discovery(
        new URL(issuer),
        clientId,
        undefined,
        clientSecret ? client.ClientSecretBasic(clientSecret) : client.None(),
        insecure ? { execute: [client.allowInsecureRequests], timeout: 10 } : { timeout: 10 },
      );
    } catch {
      throw ssoError('SSO_IDP_UNREACHABLE', 'The identity provider’s configuration could not be read');
    }
    this.configs.set(provider.id, { config, at: Date.now(), version });
    return config;
  }
}

function strings(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v) => typeof v === 'string' || typeof v === 'number').map(String);
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  return [];
}

function identityFrom(claims: Record<string, unknown>): VerifiedIdentity {
  const attributes: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(claims)) attributes[name] = strings(value);
  return {
    subject: String(claims.sub),
    email: typeof claims.email === 'string' ? claims.email : null,
    emailVerified: claims.email_verified !== false && claims.email_verified !== 'false',
    firstName: typeof claims.given_name === 'string' ? claims.given_name : null,
    lastName: typeof claims.family_name === 'string' ? claims.family_name : null,
    attributes,
  };
}
