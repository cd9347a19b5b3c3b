import { Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AuditService } from '../audit/audit.service';
import { LoginResponseDto } from '../auth/dto/auth.dto';
import { UserResponseDto } from '../auth/dto/user-response.dto';
import { TokensService } from '../auth/tokens.service';
import { AppError } from '../common/errors/app-error';
import { UsersService } from '../users/users.service';
import { DiscoverResponseDto } from './dto/sso.dto';
import { IdentityProvider, SsoProtocol } from './entities/identity-provider.entity';
import { SsoRequest } from './entities/sso-request.entity';
import { IdentityProvidersService, providerNotFound } from './identity-providers.service';
import { OidcService } from './oidc.service';
import { SamlService } from './saml.service';
import { accountDisabled, SsoAccountsService, ssoError, VerifiedIdentity } from './sso-accounts.service';
import { SsoStateService } from './sso-state.service';

const stateInvalid = () => ssoError('SSO_STATE_INVALID', 'This sign-in is unknown, expired or already finished');

/** Where the browser goes next: the IdP, or the frontend with `code` or `error`. */
export type SsoRedirect = string;

/**
 * The browser flow: `start` sends the person to their institution's IdP, the
 * callback (OIDC) or ACS (SAML) checks the answer, finds or creates the
 * account, and sends the browser back to the frontend with a one-time code it
 * exchanges for tokens. Once a request is known, errors go back to the
 * frontend as `?error=<CODE>`; without one there is nowhere safe to send them.
 */
@Injectable()
export class SsoService {
  private readonly logger = new Logger('Sso');

  constructor(
    private readonly providers: IdentityProvidersService,
    private readonly state: SsoStateService,
    private readonly accounts: SsoAccountsService,
    private readonly oidc: OidcService,
    private readonly saml: SamlService,
    private readonly users: UsersService,
    private readonly tokens: TokensService,
    private readonly audit: AuditService,
  ) {}

  async discover(email: string): Promise<DiscoverResponseDto> {
    const domain = email.trim().toLowerCase().split('@').pop() ?? '';
    const providers = await this.providers.forDomain(domain);
    return { providers: providers.map((p) => ({ id: p.id, name: p.name, protocol: p.protocol, instituteId: p.instituteId })) };
  }

  async start(providerId: string, redirectUri: string): Promise<SsoRedirect> {
    const found = /^[0-9a-f-]{36}$/i.test(providerId) ? await this.providers.forSignIn(providerId) : null;
    if (!found) throw providerNotFound();
    const { provider, clientSecret } = found;
    // Exact match only: no prefixes, no normalisation, so no open redirect.
    if (!provider.settings.allowedRedirectUris.includes(redirectUri)) {
      throw ssoError('SSO_REDIRECT_NOT_ALLOWED', 'redirectUri is not one of this provider’s allowed redirect URIs');
    }
    if (!provider.enabled) return withParams(redirectUri, { error: 'SSO_PROVIDER_DISABLED' });
    try {
      if (provider.protocol === SsoProtocol.Oidc) {
        const start = await this.oidc.start(provider, clientSecret);
        await this.state.saveRequest(start.state, provider.id, redirectUri, { nonce: start.nonce, codeVerifier: start.codeVerifier });
        return start.url;
      }
      const relayState = randomBytes(32).toString('base64url');
      const { url, requestId } = await this.saml.start(provider, relayState);
      await this.state.saveRequest(relayState, provider.id, redirectUri, { samlRequestId: requestId });
      return url;
    } catch (error) {
      return withParams(redirectUri, { error: errorCode(error, this.logger) });
    }
  }

  /** The OIDC redirect back from the IdP. */
  async oidcCallback(query: Record<string, unknown>, currentUrl: URL, ip: string | null): Promise<SsoRedirect> {
    const request = await this.request(query.state);
    return this.finish(request, ip, async (provider, clientSecret) => {
      if (typeof query.error === 'string') throw ssoError('SSO_IDP_ERROR', 'The identity provider refused the sign-in');
      return this.oidc.finish(provider, clientSecret, currentUrl, {
        state: request.lookupKey,
        nonce: request.data.nonce ?? '',
        codeVerifier: request.data.codeVerifier ?? '',
      });
    });
  }

  /** The SAML response posted by the browser to the ACS. */
  async samlAcs(body: Record<string, unknown>, ip: string | null): Promise<SsoRedirect> {
    const request = await this.request(body.RelayState);
    return this.finish(request, ip, async (provider) => {
      if (typeof body.SAMLResponse !== 'string' || provider.protocol !== SsoProtocol.Saml) throw ssoError('SSO_ASSERTION_INVALID', 'No SAML response');
      const verified = await this.saml.verify(provider, body.SAMLResponse, request.data.samlRequestId ?? '');
      // The same assertion twice is a replay, whichever replica saw it first.
      if (!(await this.state.firstSight(provider.id, verified.assertionId, verified.expiresAt))) {
        throw ssoError('SSO_ASSERTION_INVALID', 'This assertion was already used');
      }
      return verified.identity;
    });
  }

  /** POST /auth/sso/exchange: the token pair of a one-time code, spent by this call. */
  async exchange(code: string, redirectUri: string, ip: string | null): Promise<LoginResponseDto> {
    const userId = await this.state.spendCode(code, redirectUri);
    const user = userId ? await this.users.findById(userId) : null;
    if (!user) throw AppError.unauthorized('INVALID_TOKEN', 'The code is invalid, expired or already used');
    if (user.disabledAt) throw accountDisabled();
    await this.audit.record({ action: 'auth.login_ok', actorId: user.id, targetType: 'user', targetId: user.id, ip, details: { method: 'sso' } });
    return { ...(await this.tokens.issue(user)), user: UserResponseDto.from(user) };
  }

  private async request(key: unknown): Promise<SsoRequest> {
    const request = typeof key === 'string' && key.length <= 128 ? await this.state.findRequest(key) : null;
    if (!request) throw stateInvalid();
    return request;
  }

  private async finish(
    request: SsoRequest,
    ip: string | null,
    verify: (provider: IdentityProvider, clientSecret: string | null) => Promise<VerifiedIdentity>,
  ): Promise<SsoRedirect> {
    try {
      // Spent before anything else: one answer per request, even a failed one.
      if (!(await this.state.spendRequest(request.id))) throw stateInvalid();
      const found = await this.providers.forSignIn(request.providerId);
      if (!found) throw stateInvalid();
      if (!found.provider.enabled) throw ssoError('SSO_PROVIDER_DISABLED', 'This identity provider is disabled');
      const identity = await verify(found.provider, found.clientSecret);
      const userId = await this.accounts.resolve(found.provider, found.domains, identity, ip);
      return withParams(request.redirectUri, { code: await this.state.issueCode(userId, request.redirectUri) });
    } catch (error) {
      const code = errorCode(error, this.logger);
      await this.audit.record({ action: 'sso.sign_in_failed', targetType: 'identity_provider', targetId: request.providerId, ip, details: { code } });
      return withParams(request.redirectUri, { error: code });
    }
  }
}

function errorCode(error: unknown, logger: Logger): string {
  if (error instanceof AppError && error.status < 500) return error.code;
  logger.error({ error: error instanceof Error ? error.message : String(error) }, 'Single sign-on failed unexpectedly');
  return 'SSO_IDP_ERROR';
}

function withParams(uri: string, params: Record<string, string>): string {
  const url = new URL(uri);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.href;
}
