import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../auth/auth.types';
import { Auth } from '../auth/decorators/auth.decorator';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import { MembershipRole } from '../auth/roles';
import { ReqMeta, RequestMeta } from '../common/decorators/request-meta.decorator';
import { CreateIdentityProviderDto, IdentityProviderDto, UpdateIdentityProviderDto } from './dto/identity-provider.dto';
import { IdentityProvidersService } from './identity-providers.service';

/** An institute's identity providers: staff configure them; the institute's managers may read them (never the secret). */
@ApiTags('sso')
@Controller('institutes/:instituteId/identity-providers')
export class IdentityProvidersController {
  constructor(private readonly providers: IdentityProvidersService) {}

  @Get()
  @Auth({ institute: [MembershipRole.Manager] })
  @ApiOperation({ operationId: 'listIdentityProviders', summary: 'The institute’s identity providers' })
  @ApiOkResponse({ type: [IdentityProviderDto] })
  list(@Param('instituteId') instituteId: string) {
    return this.providers.list(instituteId);
  }

  @Post()
  @Auth({ staff: true })
  @ApiOperation({ operationId: 'createIdentityProvider', summary: 'Connect an identity provider (OIDC or SAML) to the institute' })
  @ApiCreatedResponse({ type: IdentityProviderDto })
  @ApiErrors('INSTITUTE_NOT_FOUND')
  create(@Param('instituteId') instituteId: string, @Body() body: CreateIdentityProviderDto, @CurrentUser() user: AuthUser, @ReqMeta() meta: RequestMeta) {
    return this.providers.create(instituteId, body, user, meta.ip);
  }

  @Get(':providerId')
  @Auth({ institute: [MembershipRole.Manager] })
  @ApiOperation({ operationId: 'getIdentityProvider', summary: 'One identity provider of the institute' })
  @ApiOkResponse({ type: IdentityProviderDto })
  @ApiErrors('IDENTITY_PROVIDER_NOT_FOUND')
  get(@Param('instituteId') instituteId: string, @Param('providerId') providerId: string) {
    return this.providers.get(instituteId, providerId);
  }

  @Patch(':providerId')
  @Auth({ staff: true })
  @ApiOperation({ operationId: 'updateIdentityProvider', summary: 'Change an identity provider (a clientSecret given replaces the stored one)' })
  @ApiOkResponse({ type: IdentityProviderDto })
  @ApiErrors('IDENTITY_PROVIDER_NOT_FOUND')
  update(
    @Param('instituteId') instituteId: string,
    @Param('providerId') providerId: string,
    @Body() body: UpdateIdentityProviderDto,
    @CurrentUser() user: AuthUser,
    @ReqMeta() meta: RequestMeta,
  ) {
    return this.providers.update(instituteId, providerId, body, user, meta.ip);
  }

  @Delete(':providerId')
  @HttpCode(204)
  @Auth({ staff: true })
  @ApiOperation({ operationId: 'deleteIdentityProvider', summary: 'Disconnect an identity provider (its account links go with it)' })
  @ApiNoContentResponse()
  @ApiErrors('IDENTITY_PROVIDER_NOT_FOUND')
  async remove(
    @Param('instituteId') instituteId: string,
    @Param('providerId') providerId: string,
    @CurrentUser() user: AuthUser,
    @ReqMeta() meta: RequestMeta,
  ) {
    await this.providers.remove(instituteId, providerId, user, meta.ip);
  }
}
