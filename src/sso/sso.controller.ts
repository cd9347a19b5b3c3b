import { applyDecorators, Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConsumes,
  ApiFoundResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { LoginResponseDto } from '../auth/dto/auth.dto';
import { Public } from '../common/decorators/public.decorator';
import { ReqMeta, RequestMeta } from '../common/decorators/request-meta.decorator';
import { AppError } from '../common/errors/app-error';
import { DiscoverQueryDto, DiscoverResponseDto, ExchangeCodeDto, StartQueryDto } from './dto/sso.dto';
import { SsoProtocol } from './entities/identity-provider.entity';
import { IdentityProvidersService, providerNotFound } from './identity-providers.service';
import { OidcService } from './oidc.service';
import { SamlService } from './saml.service';
import { SsoService } from './sso.service';

const REDIRECT_DOC = 'To the frontend’s redirectUri with `?code=<one-time code>`, or `?error=<CODE>` (see the error codes in the contract)';

const Throttled = () =>
  applyDecorators(UseGuards(ThrottlerGuard), ApiTooManyRequestsResponse({ description: 'Too many requests from this address; see Retry-After' }));

/**
 * Institutional single sign-on, public: the browser flow and the code exchange.
 * Only the routes that start something (a stored request, a fetch of the IdP's
 * configuration) count against the per-address auth throttle: a whole school
 * behind one address signs in at 8:00, and the callback, ACS and exchange only
 * finish what a stored request or a 256-bit code allows.
 */
@ApiTags('sso')
@Public()
@Controller('auth/sso')
export class SsoController {
  constructor(
    private readonly sso: SsoService,
    private readonly providers: IdentityProvidersService,
    private readonly oidc: OidcService,
    private readonly saml: SamlService,
  ) {}

  @Get('discover')
  @Throttled()
  @ApiOperation({ operationId: 'discoverSsoProviders', summary: 'Home-realm discovery: the identity providers that can sign this email in' })
  @ApiOkResponse({ type: DiscoverResponseDto })
  discover(@Query() query: DiscoverQueryDto): Promise<DiscoverResponseDto> {
    return this.sso.discover(query.email);
  }

  @Get('oidc/callback')
  @ApiOperation({ operationId: 'ssoOidcCallback', summary: 'Where the OpenID provider sends the browser back (authorization code)' })
  @ApiQuery({ name: 'state', required: true })
  @ApiQuery({ name: 'code', required: false })
  @ApiFoundResponse({ description: REDIRECT_DOC })
  @ApiBadRequestResponse({ description: 'SSO_STATE_INVALID: no sign-in of ours has this state (nowhere safe to redirect)' })
  async oidcCallback(@Req() req: Request, @Res() res: Response, @ReqMeta() meta: RequestMeta): Promise<void> {
    // The URL the IdP redirected to, as registered there (PUBLIC_URL), with the query it added.
    const query = req.originalUrl.indexOf('?');
    const currentUrl = new URL(`${this.oidc.callbackUrl}${query === -1 ? '' : req.originalUrl.slice(query)}`);
    res.redirect(302, await this.sso.oidcCallback(req.query, currentUrl, meta.ip));
  }

  @Post('saml/acs')
  @HttpCode(302)
  @ApiOperation({ operationId: 'ssoSamlAcs', summary: 'Assertion consumer service: the SAML response posted by the browser' })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiFoundResponse({ description: REDIRECT_DOC })
  @ApiBadRequestResponse({ description: 'SSO_STATE_INVALID: no sign-in of ours has this RelayState (nowhere safe to redirect)' })
  async samlAcs(@Req() req: Request, @Res() res: Response, @ReqMeta() meta: RequestMeta): Promise<void> {
    const body = (req.body ?? {}) as Record<string, unknown>;
    res.redirect(302, await this.sso.samlAcs(body, meta.ip));
  }

  @Get('saml/:providerId/metadata')
  @ApiOperation({ operationId: 'getSamlServiceProviderMetadata', summary: 'Our SAML service provider metadata for this provider (entity id, ACS URL)' })
  @ApiProduces('application/samlmetadata+xml')
  @ApiOkResponse({ description: 'SP metadata XML', schema: { type: 'string' } })
  @ApiNotFoundResponse({ description: 'IDENTITY_PROVIDER_NOT_FOUND' })
  async metadata(@Param('providerId') providerId: string, @Res({ passthrough: true }) res: Response): Promise<string> {
    const found = /^[0-9a-f-]{36}$/i.test(providerId) ? await this.providers.forSignIn(providerId) : null;
    if (!found || found.provider.protocol !== SsoProtocol.Saml) throw providerNotFound();
    res.type('application/samlmetadata+xml');
    return this.saml.metadata(found.provider);
  }

  @Post('exchange')
  @HttpCode(200)
  @ApiOperation({ operationId: 'exchangeSsoCode', summary: 'Exchange a one-time code (single use, 60 s, bound to its redirectUri) for a token pair' })
  @ApiOkResponse({ type: LoginResponseDto })
  @ApiUnauthorizedResponse({ description: 'INVALID_TOKEN: unknown, spent or expired code, or another redirectUri' })
  exchange(@Body() body: ExchangeCodeDto, @ReqMeta() meta: RequestMeta): Promise<LoginResponseDto> {
    return this.sso.exchange(body.code, body.redirectUri, meta.ip);
  }

  @Get(':providerId/start')
  @Throttled()
  @ApiOperation({ operationId: 'startSso', summary: 'Send the browser to the institution’s identity provider' })
  @ApiFoundResponse({ description: 'To the IdP (OIDC authorization request with PKCE, or SAML AuthnRequest by HTTP-Redirect)' })
  @ApiBadRequestResponse({ description: 'SSO_REDIRECT_NOT_ALLOWED: redirectUri is not exactly one of the provider’s' })
  @ApiNotFoundResponse({ description: 'IDENTITY_PROVIDER_NOT_FOUND' })
  async start(@Param('providerId') providerId: string, @Query() query: StartQueryDto, @Res() res: Response): Promise<void> {
    if (!query.redirectUri) throw AppError.validation([{ field: 'redirectUri', message: 'redirectUri is required' }]);
    res.redirect(302, await this.sso.start(providerId, query.redirectUri));
  }
}
