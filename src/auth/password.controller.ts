import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ReqMeta, RequestMeta } from '../common/decorators/request-meta.decorator';
import { AuthService } from './auth.service';
import { AuthUser } from './auth.types';
import { Auth } from './decorators/auth.decorator';
import { CurrentUser } from './decorators/current-user.decorator';
import { ChangePasswordDto, LoginResponseDto } from './dto/auth.dto';

/** The caller's own credentials (the rest of /api/me is the users module's). */
@ApiTags('me')
@Auth()
@Controller('me')
export class PasswordController {
  constructor(private readonly auth: AuthService) {}

  @Post('password')
  @HttpCode(200)
  @ApiErrors('INVALID_CREDENTIALS')
  @ApiOperation({ operationId: 'changePassword', summary: 'Change the password; every other session ends and a fresh token pair is returned' })
  @ApiOkResponse({ type: LoginResponseDto })
  changePassword(@CurrentUser() user: AuthUser, @Body() body: ChangePasswordDto, @ReqMeta() meta: RequestMeta) {
    return this.auth.changePassword(user.id, body.currentPassword, body.newPassword, meta.ip);
  }
}
