import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import { Public } from '../common/decorators/public.decorator';
import { ReqMeta, RequestMeta } from '../common/decorators/request-meta.decorator';
import { AuthService } from './auth.service';
import { AcceptedDto, EmailDto, LoginDto, LoginResponseDto, RefreshDto, ResetPasswordDto, TokenDto, TokenPairDto } from './dto/auth.dto';

/** Public authentication routes, rate-limited per client address. */
@ApiTags('auth')
@Public()
@UseGuards(ThrottlerGuard)
@ApiErrors('TOO_MANY_REQUESTS')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @HttpCode(200)
  @ApiErrors('INVALID_CREDENTIALS', 'EMAIL_NOT_VERIFIED', 'ACCOUNT_DISABLED')
  @ApiOperation({ operationId: 'login', summary: 'Sign in with email and password' })
  @ApiOkResponse({ type: LoginResponseDto })
  login(@Body() body: LoginDto, @ReqMeta() meta: RequestMeta) {
    return this.auth.login(body.email, body.password, meta.ip);
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiErrors('INVALID_REFRESH_TOKEN')
  @ApiOperation({ operationId: 'refreshTokens', summary: 'Exchange a refresh token for a new pair (the old one is spent)' })
  @ApiOkResponse({ type: TokenPairDto })
  refresh(@Body() body: RefreshDto, @ReqMeta() meta: RequestMeta) {
    return this.auth.refresh(body.refreshToken, meta.ip);
  }

  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ operationId: 'logout', summary: 'End the session of this refresh token' })
  @ApiNoContentResponse()
  async logout(@Body() body: RefreshDto) {
    await this.auth.logout(body.refreshToken);
  }

  @Post('verify-email')
  @HttpCode(204)
  @ApiErrors('INVALID_TOKEN')
  @ApiOperation({ operationId: 'verifyEmail', summary: 'Confirm an email address with the token from the verification link' })
  @ApiNoContentResponse()
  async verifyEmail(@Body() body: TokenDto, @ReqMeta() meta: RequestMeta) {
    await this.auth.verifyEmail(body.token, meta.ip);
  }

  @Post('verify-email/resend')
  @HttpCode(202)
  @ApiOperation({ operationId: 'resendVerificationEmail', summary: 'Send a new verification link (always 202)' })
  @ApiAcceptedResponse({ type: AcceptedDto })
  async resend(@Body() body: EmailDto, @ReqMeta() meta: RequestMeta) {
    await this.auth.resendVerification(body.email, meta.ip);
    return { status: 'accepted' };
  }

  @Post('password/forgot')
  @HttpCode(202)
  @ApiOperation({ operationId: 'forgotPassword', summary: 'Email a password reset link if the account exists (always 202)' })
  @ApiAcceptedResponse({ type: AcceptedDto })
  async forgot(@Body() body: EmailDto, @ReqMeta() meta: RequestMeta) {
    await this.auth.forgotPassword(body.email, meta.ip);
    return { status: 'accepted' };
  }

  @Post('password/reset')
  @HttpCode(204)
  @ApiErrors('INVALID_TOKEN')
  @ApiOperation({ operationId: 'resetPassword', summary: 'Set a new password with the token from the reset link; ends every session' })
  @ApiNoContentResponse()
  async reset(@Body() body: ResetPasswordDto, @ReqMeta() meta: RequestMeta) {
    await this.auth.resetPassword(body.token, body.password, meta.ip);
  }
}
