import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditQueryService } from '../audit/audit-query.service';
import { AuditPageDto, ListAuditQueryDto } from '../audit/dto/audit.dto';
import { AuthUser } from '../auth/auth.types';
import { Auth } from '../auth/decorators/auth.decorator';
import { CurrentMembership, CurrentUser } from '../auth/decorators/current-user.decorator';
import { RejectDto } from '../common/dto/reject.dto';
import { ReqMeta, RequestMeta } from '../common/decorators/request-meta.decorator';
import { AppError } from '../common/errors/app-error';
import {
  AddMemberDto,
  BulkMembersDto,
  BulkMembersResultDto,
  ListMembersQueryDto,
  MemberPageDto,
  MemberResponseDto,
  UpdateMemberDto,
} from './dto/membership.dto';
import { Membership, MembershipRole } from './entities/membership.entity';
import { MemberValidationService } from './member-validation.service';
import { Actor, MembershipsService } from './memberships.service';

const { Manager, Teacher } = MembershipRole;
const userIdPipe = new ParseUUIDPipe({ exceptionFactory: () => AppError.notFound('MEMBER_NOT_FOUND', 'This user is not a member of this institute') });

@ApiTags('members')
@Controller('institutes/:instituteId')
export class MembershipsController {
  constructor(
    private readonly members: MembershipsService,
    private readonly validation: MemberValidationService,
    private readonly audit: AuditQueryService,
  ) {}

  @Post('members')
  @Auth({ institute: [Manager, Teacher] })
  @ApiErrors('ALREADY_MEMBER', 'EMAIL_TAKEN', 'USER_NOT_FOUND', 'ROLE_NOT_ALLOWED')
  @ApiOperation({
    operationId: 'addMember',
    summary: 'Attach a user to the institute (“Join an institute”), or create and attach one; teachers attach students only',
  })
  @ApiCreatedResponse({ type: MemberResponseDto })
  add(
    @Param('instituteId') instituteId: string,
    @Body() body: AddMemberDto,
    @CurrentUser() user: AuthUser,
    @CurrentMembership() membership: Membership | undefined,
    @ReqMeta() meta: RequestMeta,
  ) {
    return this.members.add(instituteId, body, actor(user, membership, meta));
  }

  @Get('members')
  @Auth({ institute: [Manager, Teacher] })
  @ApiOperation({ operationId: 'listMembers', summary: 'Members of the institute, newest first, keyset-paginated' })
  @ApiOkResponse({ type: MemberPageDto })
  list(@Param('instituteId') instituteId: string, @Query() query: ListMembersQueryDto) {
    return this.members.list(instituteId, query);
  }

  @Post('members/bulk')
  @HttpCode(200)
  @Auth({ institute: [Manager] })
  @ApiOperation({
    operationId: 'bulkUpdateMembers',
    summary: 'Set the role, group or department of many members, or detach them, in one transaction; per-member failures reported',
  })
  @ApiOkResponse({ type: BulkMembersResultDto })
  bulk(
    @Param('instituteId') instituteId: string,
    @Body() body: BulkMembersDto,
    @CurrentUser() user: AuthUser,
    @CurrentMembership() membership: Membership | undefined,
    @ReqMeta() meta: RequestMeta,
  ) {
    return this.members.bulk(instituteId, body, actor(user, membership, meta));
  }

  @Get('members/:userId')
  @Auth({ institute: [Manager, Teacher] })
  @ApiErrors('MEMBER_NOT_FOUND')
  @ApiOperation({ operationId: 'getMember', summary: 'One member of the institute' })
  @ApiOkResponse({ type: MemberResponseDto })
  get(@Param('instituteId') instituteId: string, @Param('userId', userIdPipe) userId: string) {
    return this.members.getMember(instituteId, userId);
  }

  @Patch('members/:userId')
  @Auth({ institute: [Manager] })
  @ApiErrors('MEMBER_NOT_FOUND', 'LAST_MANAGER')
  @ApiOperation({ operationId: 'updateMember', summary: 'Change a member’s role, group or department (“Roles modification”)' })
  @ApiOkResponse({ type: MemberResponseDto })
  update(
    @Param('instituteId') instituteId: string,
    @Param('userId', userIdPipe) userId: string,
    @Body() body: UpdateMemberDto,
    @CurrentUser() user: AuthUser,
    @CurrentMembership() membership: Membership | undefined,
    @ReqMeta() meta: RequestMeta,
  ) {
    return this.members.update(instituteId, userId, body, actor(user, membership, meta));
  }

  @Post('members/:userId/activate')
  @HttpCode(200)
  @Auth({ institute: [Manager] })
  @ApiErrors('MEMBER_NOT_FOUND', 'NOT_PENDING')
  @ApiOperation({ operationId: 'activateMember', summary: 'Activate a self-registered teacher (pending → active); the teacher is emailed and notified' })
  @ApiOkResponse({ type: MemberResponseDto })
  activate(
    @Param('instituteId') instituteId: string,
    @Param('userId', userIdPipe) userId: string,
    @CurrentUser() user: AuthUser,
    @CurrentMembership() membership: Membership | undefined,
    @ReqMeta() meta: RequestMeta,
  ) {
    return this.validation.activate(instituteId, userId, actor(user, membership, meta));
  }

  @Post('members/:userId/reject')
  @HttpCode(200)
  @Auth({ institute: [Manager] })
  @ApiErrors('MEMBER_NOT_FOUND', 'NOT_PENDING')
  @ApiOperation({
    operationId: 'rejectMember',
    summary: 'Reject a self-registered teacher (pending → rejected) with an optional reason; the teacher is emailed and notified',
  })
  @ApiOkResponse({ type: MemberResponseDto })
  reject(
    @Param('instituteId') instituteId: string,
    @Param('userId', userIdPipe) userId: string,
    @Body() body: RejectDto,
    @CurrentUser() user: AuthUser,
    @CurrentMembership() membership: Membership | undefined,
    @ReqMeta() meta: RequestMeta,
  ) {
    return this.validation.reject(instituteId, userId, body.reason, actor(user, membership, meta));
  }

  @Delete('members/:userId')
  @HttpCode(204)
  @Auth({ institute: [Manager] })
  @ApiErrors('MEMBER_NOT_FOUND', 'LAST_MANAGER')
  @ApiOperation({ operationId: 'removeMember', summary: 'Detach a member from the institute' })
  @ApiNoContentResponse()
  async remove(
    @Param('instituteId') instituteId: string,
    @Param('userId', userIdPipe) userId: string,
    @CurrentUser() user: AuthUser,
    @CurrentMembership() membership: Membership | undefined,
    @ReqMeta() meta: RequestMeta,
  ) {
    await this.members.remove(instituteId, userId, actor(user, membership, meta));
  }

  @Post('members/:userId/resend-invitation')
  @HttpCode(202)
  @Auth({ institute: [Manager] })
  @ApiOperation({
    operationId: 'resendMemberInvitation',
    summary: 'Resend the set-password email (no password yet) or the welcome email to an active member; one a minute per member',
  })
  @ApiAcceptedResponse({ description: 'The email is queued' })
  @ApiErrors('MEMBER_NOT_FOUND', 'MEMBER_NOT_ACTIVE', 'INVITATION_RECENTLY_SENT')
  async resendInvitation(
    @Param('instituteId') instituteId: string,
    @Param('userId', userIdPipe) userId: string,
    @CurrentUser() user: AuthUser,
    @CurrentMembership() membership: Membership | undefined,
    @ReqMeta() meta: RequestMeta,
  ): Promise<void> {
    await this.members.resendInvitation(instituteId, userId, actor(user, membership, meta));
  }

  @Get('audit')
  @Auth({ institute: [Manager] })
  @ApiOperation({ operationId: 'listInstituteAudit', summary: 'The institute’s audit log (managers): creations, attachments, role changes, detachments' })
  @ApiOkResponse({ type: AuditPageDto })
  auditLog(@Param('instituteId') instituteId: string, @Query() query: ListAuditQueryDto) {
    return this.audit.list(query, { instituteId });
  }
}

function actor(user: AuthUser, membership: Membership | undefined, meta: RequestMeta): Actor {
  return { user, membership, ip: meta.ip, locale: meta.locale };
}
