import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../auth/auth.types';
import { Auth } from '../auth/decorators/auth.decorator';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import { MembershipRole } from '../auth/roles';
import { ReqMeta, RequestMeta } from '../common/decorators/request-meta.decorator';
import { AppError } from '../common/errors/app-error';
import { CreatedScimTokenDto, CreateScimTokenDto, ScimTokenDto } from './dto/scim-token.dto';
import { ScimTokensService } from './scim-tokens.service';

const tokenIdPipe = new ParseUUIDPipe({ exceptionFactory: () => AppError.notFound('SCIM_TOKEN_NOT_FOUND', 'No such SCIM token in this institute') });

/** The bearer tokens an institute's directory provisions with (`/scim/v2`, see the README). */
@ApiTags('scim')
@Controller('institutes/:instituteId/scim-tokens')
export class ScimTokensController {
  constructor(private readonly tokens: ScimTokensService) {}

  @Get()
  @Auth({ institute: [MembershipRole.Manager] })
  @ApiOperation({ operationId: 'listScimTokens', summary: 'The institute’s SCIM tokens (never their value), newest first' })
  @ApiOkResponse({ type: [ScimTokenDto] })
  list(@Param('instituteId') instituteId: string) {
    return this.tokens.list(instituteId);
  }

  @Post()
  @Auth({ institute: [MembershipRole.Manager] })
  @ApiOperation({ operationId: 'createScimToken', summary: 'Create a SCIM token for the institute’s directory; its value is in this response only' })
  @ApiCreatedResponse({ type: CreatedScimTokenDto })
  create(@Param('instituteId') instituteId: string, @Body() body: CreateScimTokenDto, @CurrentUser() user: AuthUser, @ReqMeta() meta: RequestMeta) {
    return this.tokens.create(instituteId, body.name, user, meta.ip);
  }

  @Delete(':tokenId')
  @HttpCode(204)
  @Auth({ institute: [MembershipRole.Manager] })
  @ApiErrors('SCIM_TOKEN_NOT_FOUND')
  @ApiOperation({ operationId: 'revokeScimToken', summary: 'Revoke a SCIM token: it is refused from the next request on' })
  @ApiNoContentResponse()
  async revoke(
    @Param('instituteId') instituteId: string,
    @Param('tokenId', tokenIdPipe) tokenId: string,
    @CurrentUser() user: AuthUser,
    @ReqMeta() meta: RequestMeta,
  ) {
    await this.tokens.revoke(instituteId, tokenId, user, meta.ip);
  }
}
