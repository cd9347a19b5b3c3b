import { Body, Controller, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ReqMeta, RequestMeta } from '../common/decorators/request-meta.decorator';
import { AuthService } from './auth.service';
import { AuthUser } from './auth.types';
import { Auth } from './decorators/auth.decorator';
import { CurrentUser } from './decorators/current-user.decorator';
import { ChangePasswordDto, LoginResponseDto, MeResponseDto, UpdateMeDto } from './dto/auth.dto';

@ApiTags('me')
@Auth()
@Controller('me')
export class MeController {
  constructor(private readonly auth: AuthService) {}

  @Get()
  @ApiOperation({ summary: 'The caller, their memberships and company affiliation' })
  @ApiOkResponse({ type: MeResponseDto })
  me(@CurrentUser() user: AuthUser) {
    return this.auth.me(user.id);
  }

  @Patch()
  @ApiOperation({ summary: 'Update the caller’s preferences (email language)' })
  @ApiOkResponse({ type: MeResponseDto })
  update(@CurrentUser() user: AuthUser, @Body() body: UpdateMeDto) {
    return this.auth.updateLocale(user.id, body.locale);
  }

  @Post('password')
  @HttpCode(200)
  @ApiOperation({ summary: 'Change the password; every other session ends and a fresh token pair is returned' })
  @ApiOkResponse({ type: LoginResponseDto })
  changePassword(@CurrentUser() user: AuthUser, @Body() body: ChangePasswordDto, @ReqMeta() meta: RequestMeta) {
    return this.auth.changePassword(user.id, body.currentPassword, body.newPassword, meta.ip);
  }
}
