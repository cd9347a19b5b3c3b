import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth.types';
import { Clock } from '../common/clock';
import { AppError } from '../common/errors/app-error';
import { keysetPage, Page } from '../common/pagination';
import { Transactions } from '../common/transactions';
import { mailConfig } from '../config/configuration';
import { MailService } from '../mail/mail.service';
import { NotificationsService } from '../notifications/notifications.service';
import { NotificationType } from '../notifications/notifications.types';
import { MeAffiliationDto } from '../users/dto/me.dto';
import { UserProfiles } from '../users/user-profiles';
import { ApproveProfessionalDto, CompanyResponseDto, ListProfessionalsQueryDto, ProfessionalRequestDto } from './dto/company.dto';
import { AffiliationStatus, CompanyAffiliation } from './entities/company-affiliation.entity';
import { Company, CompanyStatus } from './entities/company.entity';
import { newId } from '../common/ids';

/** Staff promise to validate a professional within 48 hours of their request. */
export const VALIDATION_DUE_MS = 48 * 3600_000;

export function dueAt(submittedAt: Date): Date {
  return new Date(submittedAt.getTime() + VALIDATION_DUE_MS);
}

const notFound = () => AppError.notFound('PROFESSIONAL_NOT_FOUND', 'No professional request for this user');
const notPending = () => AppError.conflict('NOT_PENDING', 'This request is not pending');

/** The staff side of professional registration: the validation queue and its decisions. */
@Injectable()
export class ProfessionalsService implements OnModuleInit {
  constructor(
    private readonly tx: Transactions,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
    private readonly mail: MailService,
    private readonly profiles: UserProfiles,
    @Inject(mailConfig.KEY) private readonly mailCfg: ConfigType<typeof mailConfig>,
    @InjectRepository(CompanyAffiliation) private readonly affiliations: Repository<CompanyAffiliation>,
  ) {}

  onModuleInit() {
    this.profiles.contribute('company', (userId) => this.forProfile(userId));
  }

  /** Oldest first: the request closest to (or past) its due time comes first. */
  async queue(query: ListProfessionalsQueryDto): Promise<Page<ProfessionalRequestDto>> {
    const status = query.status ?? AffiliationStatus.Pending;
    const qb = this.affiliations
      .createQueryBuilder('a')
      .innerJoinAndSelect('a.user', 'u')
      .innerJoinAndSelect('a.company', 'c')
      .where('a.status = :status', { status });
    const now = this.clock.now();
    return keysetPage(qb, { at: 'a.submittedAt', id: 'a.id', order: 'ASC', query, defaultLimit: 50, keyOf: (a) => ({ at: a.submittedAt, id: a.id }) }, (rows) =>
      rows.map((a) => this.toResponse(a, now)),
    );
  }

  async get(userId: string): Promise<ProfessionalRequestDto> {
    const a = await this.affiliations.findOne({ where: { userId }, relations: { user: true, company: true } });
    if (!a) throw notFound();
    return this.toResponse(a, this.clock.now());
  }

  /**
   * pending → approved. A pending company is approved with it, or, when staff
   * name an existing company, folded into that one (every request on the pending
   * company moves there and the duplicate disappears). The conditional update
   * decides between concurrent decisions: one wins, the other gets NOT_PENDING.
   */
  async approve(userId: string, dto: ApproveProfessionalDto, actor: AuthUser, ip: string | null): Promise<ProfessionalRequestDto> {
    const result = await this.tx.run(async (em) => {
      const a = await this.claimPending(em, userId, AffiliationStatus.Approved, actor, null);
      let company = (await em.findOneBy(Company, { id: a.companyId }))!;
      const details: Record<string, unknown> = { companyId: company.id };
      if (dto.companyId && dto.companyId !== company.id) {
        const target = await em.findOneBy(Company, { id: dto.companyId });
        if (!target || target.status !== CompanyStatus.Approved) {
          throw AppError.validation([{ field: 'companyId', message: 'companyId must be an approved company' }], 'Unknown or unapproved company');
        }
        if (company.status === CompanyStatus.Approved) {
          await em.update(CompanyAffiliation, { id: a.id }, { companyId: target.id });
        } else {
          await em.update(CompanyAffiliation, { companyId: company.id }, { companyId: target.id });
          await em.delete(Company, { id: company.id });
          details.foldedCompany = { id: company.id, name: company.name };
          await this.audit.record(
            { action: 'company.folded', actorId: actor.id, targetType: 'company', targetId: target.id, ip, details: { from: company.id, name: company.name } },
            em,
          );
        }
        company = target;
        details.companyId = target.id;
      } else if (company.status === CompanyStatus.Pending) {
        await em.update(Company, { id: company.id }, { status: CompanyStatus.Approved });
        company.status = CompanyStatus.Approved;
        await this.audit.record(
          { action: 'company.approved', actorId: actor.id, targetType: 'company', targetId: company.id, ip, details: { name: company.name } },
          em,
        );
      }
      await this.audit.record({ action: 'professional.approved', actorId: actor.id, targetType: 'user', targetId: userId, ip, details }, em);
      await this.notifications.create(em, [
        {
          userId,
          type: NotificationType.ProfessionalApproved,
          title: `Your account for ${company.name} is approved`,
          data: { companyId: company.id, companyName: company.name },
        },
      ]);
      return { user: a.user!, company };
    });
    await this.mail.send({
      to: result.user.email,
      userId: result.user.id,
      about: { type: 'user', id: result.user.id },
      template: 'professional-approved',
      locale: result.user.locale,
      context: { firstName: result.user.firstName, companyName: result.company.name, loginLink: `${this.mailCfg.appUrl}/login` },
    });
    return this.get(userId);
  }

  async reject(userId: string, reason: string | null | undefined, actor: AuthUser, ip: string | null): Promise<ProfessionalRequestDto> {
    const result = await this.tx.run(async (em) => {
      const a = await this.claimPending(em, userId, AffiliationStatus.Rejected, actor, reason ?? null);
      const company = (await em.findOneBy(Company, { id: a.companyId }))!;
      await this.audit.record(
        {
          action: 'professional.rejected',
          actorId: actor.id,
          targetType: 'user',
          targetId: userId,
          ip,
          details: { companyId: company.id, reason: reason ?? null },
        },
        em,
      );
      await this.notifications.create(em, [
        {
          userId,
          type: NotificationType.ProfessionalRejected,
          title: `Your account for ${company.name} was not approved`,
          data: { companyId: company.id, companyName: company.name, reason: reason ?? null },
        },
      ]);
      return { user: a.user!, company };
    });
    await this.mail.send({
      to: result.user.email,
      userId: result.user.id,
      about: { type: 'user', id: result.user.id },
      template: 'professional-rejected',
      locale: result.user.locale,
      context: { firstName: result.user.firstName, companyName: result.company.name, reason: reason ?? '' },
    });
    return this.get(userId);
  }

  /** A self-registered professional's request, in the registration's transaction. */
  async requestAffiliation(em: EntityManager, userId: string, companyId: string, submittedAt: Date): Promise<void> {
    await em.insert(CompanyAffiliation, { id: newId(), userId, companyId, status: AffiliationStatus.Pending, submittedAt, reminderStage: 0 });
  }

  /** The company affiliation of an account, for GET /api/me. */
  async forProfile(userId: string): Promise<MeAffiliationDto | null> {
    const a = await this.affiliations.findOne({ where: { userId }, relations: { company: true } });
    if (!a) return null;
    return { company: { id: a.companyId, name: a.company!.name, status: a.company!.status }, status: a.status, submittedAt: a.submittedAt.toISOString() };
  }

  private async claimPending(
    em: EntityManager,
    userId: string,
    status: AffiliationStatus,
    actor: AuthUser,
    reason: string | null,
  ): Promise<CompanyAffiliation> {
    const now = this.clock.now();
    const res = await em.update(CompanyAffiliation, { userId, status: AffiliationStatus.Pending }, { status, decidedById: actor.id, decidedAt: now, reason });
    const a = await em.findOne(CompanyAffiliation, { where: { userId }, relations: { user: true } });
    if (!a) throw notFound();
    if (!res.affected) throw notPending();
    return a;
  }

  private toResponse(a: CompanyAffiliation, now: Date): ProfessionalRequestDto {
    const due = dueAt(a.submittedAt);
    return {
      userId: a.userId,
      name: `${a.user!.firstName} ${a.user!.lastName}`,
      email: a.user!.email,
      company: CompanyResponseDto.from(a.company!),
      status: a.status,
      submittedAt: a.submittedAt.toISOString(),
      dueAt: due.toISOString(),
      overdue: a.status === AffiliationStatus.Pending && now.getTime() > due.getTime(),
      emailVerified: Boolean(a.user!.emailVerifiedAt),
      decidedAt: a.decidedAt ? a.decidedAt.toISOString() : null,
      reason: a.reason,
    };
  }
}
