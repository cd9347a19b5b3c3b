import { ApiErrors } from '../../common/openapi/api-errors.decorator';
import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditService } from '../../audit/audit.service';
import type { AuthUser } from '../../auth/auth.types';
import { Auth } from '../../auth/decorators/auth.decorator';
import { CurrentUser } from '../../auth/decorators/current-user.decorator';
import { ReqMeta, type RequestMeta } from '../../common/decorators/request-meta.decorator';
import { AppError } from '../../common/errors/app-error';
import { ListMailQueryDto, MailLogEntryDto, MailLogPageDto } from '../../mail/dto/mail-log.dto';
import { MailLogQueryService } from '../../mail/mail-log-query.service';
import { MailService } from '../../mail/mail.service';
import { MembershipRole } from '../../memberships/entities/membership.entity';
import { MembershipsService } from '../../memberships/memberships.service';
import { normalizeEmail } from '../../users/email';
import { UsersService } from '../../users/users.service';

const mailIdPipe = new ParseUUIDPipe({ exceptionFactory: () => AppError.notFound('MAIL_NOT_FOUND', 'Mail not found') });

/** `to=` matches the address a mail went to, and the mails still queued for that address's account. */
async function recipientFilter(users: UsersService, to: string | undefined) {
  if (!to) return undefined;
  const email = normalizeEmail(to);
  return { email, userId: await users.idByEmail(email) };
}

@ApiTags('admin')
@Controller('admin/mail')
export class MailAdminController {
  constructor(
    private readonly log: MailLogQueryService,
    private readonly mail: MailService,
    private readonly users: UsersService,
    private readonly audit: AuditService,
  ) {}

  @Get()
  @Auth({ staff: true })
  @ApiOperation({
    operationId: 'listMails',
    summary: 'The mail log (staff): every email, newest first, with its status, attempts and last error; never its content',
  })
  @ApiOkResponse({ type: MailLogPageDto })
  async list(@Query() query: ListMailQueryDto) {
    const { status, template, to, ...page } = query;
    return this.log.list({ status, template, recipient: await recipientFilter(this.users, to) }, page);
  }

  @Post(':mailId/retry')
  @HttpCode(202)
  @Auth({ staff: true })
  @ApiErrors('MAIL_NOT_FOUND', 'MAIL_NOT_FAILED')
  @ApiOperation({
    operationId: 'retryMail',
    summary: 'Send a failed mail again (staff; audited): queued with fresh attempts, a mail with a link gets a new one',
  })
  @ApiAcceptedResponse({ type: MailLogEntryDto })
  async retry(@Param('mailId', mailIdPipe) mailId: string, @CurrentUser() user: AuthUser, @ReqMeta() meta: RequestMeta) {
    const entry = await this.mail.retry(mailId);
    await this.audit.record({
      action: 'mail.retried',
      actorId: user.id,
      targetType: 'mail',
      targetId: entry.id,
      instituteId: entry.instituteId,
      ip: meta.ip,
      details: { template: entry.template, attempts: entry.attempts },
    });
    return MailLogEntryDto.from(entry);
  }
}

@ApiTags('institutes')
@Controller('institutes/:instituteId/mail')
export class InstituteMailController {
  constructor(
    private readonly log: MailLogQueryService,
    private readonly memberships: MembershipsService,
    private readonly users: UsersService,
  ) {}

  @Get()
  @Auth({ institute: [MembershipRole.Manager] })
  @ApiOperation({
    operationId: 'listInstituteMails',
    summary: "The mails of the institute's members about the institute (managers): did a student's welcome email leave?",
  })
  @ApiOkResponse({ type: MailLogPageDto })
  async list(@Param('instituteId') instituteId: string, @Query() query: ListMailQueryDto) {
    const { status, template, to, ...page } = query;
    return this.log.list(
      { status, template, recipient: await recipientFilter(this.users, to), instituteId, userIdsIn: this.memberships.memberIdsQuery(instituteId) },
      page,
    );
  }
}
