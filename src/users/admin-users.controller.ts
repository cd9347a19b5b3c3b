import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../auth/auth.types';
import { Auth } from '../auth/decorators/auth.decorator';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import { ReqMeta, RequestMeta } from '../common/decorators/request-meta.decorator';
import { AppError } from '../common/errors/app-error';
import { PromoteStaffDto, StaffMemberDto } from './dto/admin.dto';
import { PersonalDataService } from './personal-data.service';
import { StaffService } from './staff.service';

const userIdPipe = new ParseUUIDPipe({ exceptionFactory: () => AppError.notFound('USER_NOT_FOUND', 'User not found') });

/** Staff tools on accounts: staff membership, disabling. */
@ApiTags('admin')
@Auth({ staff: true })
@Controller('admin')
export class AdminUsersController {
  constructor(
    private readonly staff: StaffService,
    private readonly personalData: PersonalDataService,
  ) {}

  @Get('staff')
  @ApiOperation({ operationId: 'listStaff', summary: 'Staff accounts, oldest first' })
  @ApiOkResponse({ type: [StaffMemberDto] })
  async list(): Promise<StaffMemberDto[]> {
    return (await this.staff.list()).map((u) => StaffMemberDto.from(u));
  }

  @Post('staff')
  @ApiOperation({ operationId: 'promoteStaff', summary: 'Promote an existing account to staff (audited)' })
  @ApiCreatedResponse({ type: StaffMemberDto })
  @ApiErrors('USER_NOT_FOUND')
  async promote(@Body() body: PromoteStaffDto, @CurrentUser() caller: AuthUser, @ReqMeta() meta: RequestMeta): Promise<StaffMemberDto> {
    return StaffMemberDto.from(await this.staff.promote(body.userId, caller.id, meta.ip));
  }

  @Delete('staff/:userId')
  @HttpCode(204)
  @ApiOperation({ operationId: 'demoteStaff', summary: 'Demote a staff account (never the last one; audited)' })
  @ApiNoContentResponse({ description: 'Demoted; its tokens are refused at once' })
  @ApiErrors('STAFF_NOT_FOUND', 'LAST_STAFF')
  async demote(
    @Param('userId', new ParseUUIDPipe({ exceptionFactory: () => AppError.notFound('STAFF_NOT_FOUND', 'This account is not staff') })) userId: string,
    @CurrentUser() caller: AuthUser,
    @ReqMeta() meta: RequestMeta,
  ): Promise<void> {
    await this.staff.demote(userId, caller.id, meta.ip);
  }

  @Post('users/:userId/disable')
  @HttpCode(204)
  @ApiOperation({ operationId: 'disableUser', summary: 'Disable an account: sign-in refused (ACCOUNT_DISABLED), its tokens refused at once' })
  @ApiNoContentResponse({ description: 'Disabled' })
  @ApiErrors('USER_NOT_FOUND', 'LAST_STAFF')
  async disable(@Param('userId', userIdPipe) userId: string, @CurrentUser() caller: AuthUser, @ReqMeta() meta: RequestMeta): Promise<void> {
    await this.staff.disable(userId, caller.id, meta.ip);
  }

  @Delete('users/:userId')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'eraseUser',
    summary: 'Erase a person (GDPR article 17): personal data removed or anonymised everywhere; the audit trail keeps ids and actions; the email is free again',
  })
  @ApiNoContentResponse({ description: 'Erased' })
  @ApiErrors('USER_NOT_FOUND', 'LAST_MANAGER', 'LAST_STAFF')
  async erase(@Param('userId', userIdPipe) userId: string, @CurrentUser() caller: AuthUser, @ReqMeta() meta: RequestMeta): Promise<void> {
    await this.personalData.erase(userId, caller.id, meta.ip);
  }

  @Post('users/:userId/enable')
  @HttpCode(204)
  @ApiOperation({ operationId: 'enableUser', summary: 'Enable a disabled account again' })
  @ApiNoContentResponse({ description: 'Enabled' })
  @ApiErrors('USER_NOT_FOUND')
  async enable(@Param('userId', userIdPipe) userId: string, @CurrentUser() caller: AuthUser, @ReqMeta() meta: RequestMeta): Promise<void> {
    await this.staff.enable(userId, caller.id, meta.ip);
  }
}
