import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { MembershipRole } from '../auth/roles';
import { Clock } from '../common/clock';
import { AppError } from '../common/errors/app-error';
import { isUniqueViolation } from '../common/errors/db-errors';
import { keysetPage, Page } from '../common/pagination';
import { Transactions } from '../common/transactions';
import { mailConfig } from '../config/configuration';
import { InstitutesService } from '../institutes/institutes.service';
import { MailService } from '../mail/mail.service';
import { OutgoingMail } from '../mail/mail.types';
import { MembershipsService } from '../memberships/memberships.service';
import { NotificationsService } from '../notifications/notifications.service';
import { NotificationType } from '../notifications/notifications.types';
import { User } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import { ApproveInstituteRequestDto, InstituteRequestDto, ListInstituteRequestsQueryDto } from './dto/institute-request.dto';
import { InstituteRequest, InstituteRequestStatus } from './entities/institute-request.entity';

const notFound = () => AppError.notFound('INSTITUTE_REQUEST_NOT_FOUND', 'Institute request not found');

/**
 * Staff's queue of requests to register an institute: approve (the institute is
 * created, the requester is its active manager), fold into an existing
 * institute (the requester joins it as a pending teacher for its managers), or
 * reject with a reason. The requester is emailed each time. Only requests whose
 * requester verified the address can be decided (REQUESTER_NOT_VERIFIED).
 */
@Injectable()
export class InstituteRequestsService {
  constructor(
    private readonly tx: Transactions,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly institutes: InstitutesService,
    private readonly memberships: MembershipsService,
    private readonly users: UsersService,
    private readonly mail: MailService,
    private readonly notifications: NotificationsService,
    @Inject(mailConfig.KEY) private readonly mailCfg: ConfigType<typeof mailConfig>,
    @InjectRepository(InstituteRequest) private readonly requests: Repository<InstituteRequest>,
  ) {}

  /** Oldest first. Pending requests are listed once their requester verified the address, with the close existing institutes. */
  async list(query: ListInstituteRequestsQueryDto): Promise<Page<InstituteRequestDto>> {
    const status = query.status ?? InstituteRequestStatus.Pending;
    const qb = this.requests.createQueryBuilder('r').innerJoin(User, 'u', 'u.id = r.requesterId').where('r.status = :status', { status });
    if (status === InstituteRequestStatus.Pending) qb.andWhere('u.emailVerifiedAt IS NOT NULL');
    return keysetPage(qb, { at: 'r.createdAt', id: 'r.id', order: 'ASC', query, defaultLimit: 20, keyOf: (r) => ({ at: r.createdAt, id: r.id }) }, (rows) =>
      this.toResponses(rows),
    );
  }

  async approve(id: string, dto: ApproveInstituteRequestDto, actorId: string, ip: string | null): Promise<InstituteRequestDto> {
    if (dto.foldIntoInstituteId) return this.fold(id, dto.foldIntoInstituteId, actorId, ip);
    const { request, requester } = await this.tx.run(async (em) => {
      const { request, requester } = await this.claimable(id, em);
      const instituteId = await this.institutes.insert(
        em,
        { name: request.name, city: request.city ?? undefined, country: request.country ?? undefined },
        actorId,
        ip,
      );
      await this.memberships.addActive(em, requester.id, instituteId, MembershipRole.Manager, actorId);
      await this.decide(em, request, InstituteRequestStatus.Approved, actorId, { instituteId });
      await this.audit.record({ action: 'institute_request.approved', actorId, targetType: 'institute_request', targetId: id, instituteId, ip }, em);
      return { request: { ...request, instituteId }, requester };
    });
    await this.mail.send(
      this.requesterMail(requester, 'institute-request-approved', { instituteName: request.name, loginLink: `${this.mailCfg.appUrl}/login` }, request),
    );
    return this.get(id);
  }

  async reject(id: string, reason: string | null, actorId: string, ip: string | null): Promise<InstituteRequestDto> {
    const { request, requester } = await this.tx.run(async (em) => {
      const claimed = await this.claimable(id, em, false);
      await this.decide(em, claimed.request, InstituteRequestStatus.Rejected, actorId, { reason });
      await this.audit.record({ action: 'institute_request.rejected', actorId, targetType: 'institute_request', targetId: id, ip }, em);
      return claimed;
    });
    await this.mail.send(this.requesterMail(requester, 'institute-request-rejected', { instituteName: request.name, reason: reason ?? '' }, request));
    return this.get(id);
  }

  private async fold(id: string, instituteId: string, actorId: string, ip: string | null): Promise<InstituteRequestDto> {
    const institute = await this.institutes.find(instituteId);
    if (!institute) throw AppError.notFound('INSTITUTE_NOT_FOUND', 'Institute not found');
    const { request, requester, managers } = await this.tx.run(async (em) => {
      const { request, requester } = await this.claimable(id, em);
      try {
        await this.memberships.addPending(em, requester.id, instituteId, MembershipRole.Teacher);
      } catch (error) {
        if (isUniqueViolation(error)) throw AppError.conflict('ALREADY_MEMBER', 'The requester is already a member of this institute');
        throw error;
      }
      await this.decide(em, request, InstituteRequestStatus.Folded, actorId, { instituteId });
      await this.audit.record({ action: 'institute_request.folded', actorId, targetType: 'institute_request', targetId: id, instituteId, ip }, em);
      const managers = await this.memberships.activeManagers(em, instituteId);
      const teacherName = `${requester.firstName} ${requester.lastName}`;
      const link = `${this.mailCfg.appUrl}/institutes/${instituteId}/members/${requester.id}`;
      await this.notifications.create(
        em,
        managers.map((m) => ({
          userId: m.id,
          type: NotificationType.TeacherPending,
          title: `${teacherName} asks to join ${institute.name} as a teacher`,
          data: { instituteId, instituteName: institute.name, userId: requester.id, teacherName, teacherEmail: requester.email, routedToStaff: false, link },
        })),
      );
      return { request, requester, managers };
    });
    const teacherName = `${requester.firstName} ${requester.lastName}`;
    const about = { type: 'membership', id: requester.id, instituteId };
    await this.mail.sendMany([
      this.requesterMail(requester, 'institute-request-folded', { requestedName: request.name, instituteName: institute.name }, request),
      ...managers.map((m): OutgoingMail => ({
        to: m.email,
        userId: m.id,
        template: 'teacher-pending',
        locale: m.locale,
        context: {
          firstName: m.firstName,
          teacherName,
          teacherEmail: requester.email,
          instituteName: institute.name,
          link: `${this.mailCfg.appUrl}/institutes/${instituteId}/members/${requester.id}`,
          routedToStaff: false,
        },
        about,
      })),
    ]);
    return this.get(id);
  }

  private async get(id: string): Promise<InstituteRequestDto> {
    const request = await this.requests.findOneBy({ id });
    if (!request) throw notFound();
    return (await this.toResponses([request]))[0];
  }

  /** The pending request, locked for the decision; its requester must have verified the address (when `verified`). */
  private async claimable(id: string, em: EntityManager, verified = true): Promise<{ request: InstituteRequest; requester: User }> {
    const request = await em.findOne(InstituteRequest, { where: { id }, lock: this.tx.isMysql ? { mode: 'pessimistic_write' } : undefined });
    if (!request) throw notFound();
    if (request.status !== InstituteRequestStatus.Pending) throw AppError.conflict('NOT_PENDING', `This request was already ${request.status}`);
    const requester = await this.users.findById(request.requesterId, em);
    if (!requester) throw notFound();
    if (verified && !requester.emailVerifiedAt) {
      throw AppError.conflict('REQUESTER_NOT_VERIFIED', 'The requester has not verified their email address yet');
    }
    return { request, requester };
  }

  private async decide(
    em: EntityManager,
    request: InstituteRequest,
    status: InstituteRequestStatus,
    actorId: string,
    extra: { instituteId?: string; reason?: string | null },
  ): Promise<void> {
    await em.update(
      InstituteRequest,
      { id: request.id },
      { status, decidedById: actorId, decidedAt: this.clock.now(), instituteId: extra.instituteId ?? null, reason: extra.reason ?? null },
    );
  }

  private requesterMail(requester: User, template: string, context: Record<string, string>, request: Pick<InstituteRequest, 'id'>): OutgoingMail {
    return {
      to: requester.email,
      userId: requester.id,
      template,
      locale: requester.locale,
      context: { firstName: requester.firstName, ...context },
      about: { type: 'institute_request', id: request.id },
    };
  }

  private async toResponses(rows: InstituteRequest[]): Promise<InstituteRequestDto[]> {
    const requesters = rows.length ? await this.users.findByIds(rows.map((r) => r.requesterId)) : [];
    const byId = new Map(requesters.map((u) => [u.id, u]));
    return Promise.all(
      rows.map(async (r) => {
        const u = byId.get(r.requesterId);
        const similar = r.status === InstituteRequestStatus.Pending ? await this.institutes.similar(r.name) : [];
        return {
          id: r.id,
          status: r.status,
          name: r.name,
          city: r.city,
          country: r.country,
          requester: {
            id: r.requesterId,
            firstName: u?.firstName ?? '',
            lastName: u?.lastName ?? '',
            email: u?.email ?? '',
            emailVerified: Boolean(u?.emailVerifiedAt),
          },
          instituteId: r.instituteId,
          reason: r.reason,
          createdAt: r.createdAt.toISOString(),
          decidedAt: r.decidedAt?.toISOString() ?? null,
          similar: similar.map(({ institute: i, distance }) => ({ id: i.id, name: i.name, city: i.city, country: i.country, status: i.status, distance })),
        };
      }),
    );
  }
}
