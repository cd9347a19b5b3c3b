import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, LessThan, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { AppError } from '../common/errors/app-error';
import { Transactions } from '../common/transactions';
import { CompaniesService } from '../companies/companies.service';
import { CompanyStatus } from '../companies/entities/company.entity';
import { dueAt, ProfessionalsService } from '../companies/professionals.service';
import { mailConfig } from '../config/configuration';
import { InstituteStatus } from '../institutes/entities/institute.entity';
import { InstitutesService } from '../institutes/institutes.service';
import { JobQueue } from '../jobs/job-queue';
import { JobRecovery } from '../jobs/job-recovery.service';
import { MailService } from '../mail/mail.service';
import { mailDate, OutgoingMail } from '../mail/mail.types';
import { MembershipRole } from '../auth/roles';
import { MembershipsService } from '../memberships/memberships.service';
import { NotificationsService } from '../notifications/notifications.service';
import { NotificationType } from '../notifications/notifications.types';
import { normalizeEmail } from '../users/email';
import { User } from '../users/entities/user.entity';
import { EmailTakenError, UsersService } from '../users/users.service';
import { AuthMailService } from '../auth/auth-mail.service';
import { PasswordService } from '../auth/password.service';
import { RegisterInstituteDto, RegisterProfessionalDto, RegisterTeacherDto, RegistrationAcceptedDto } from './dto/register.dto';
import { InstituteRequest } from './entities/institute-request.entity';
import { foldText } from '../common/text';
import { RegistrationKind, RegistrationRequest } from './entities/registration-request.entity';
import { newId } from '../common/ids';

const ACCEPTED: RegistrationAcceptedDto = { status: 'pending_validation' };

/** One job per registration request; payload: its id. */
export const REGISTRATION_JOB = 'onboarding.registration';
export interface RegistrationJob {
  requestId: string;
}

declare module '../jobs/job-payloads' {
  interface JobPayloads {
    [REGISTRATION_JOB]: RegistrationJob;
  }
}

interface Meta {
  ip: string | null;
  locale: string;
}

/**
 * Self-registration of teachers (validated by their institute's managers) and
 * professionals (validated by staff). Every outcome answers the same 202, after
 * the same work: the request checks only what does not depend on who has an
 * account, hashes the password, stores a registration request and queues its
 * job. The job creates the account, or, for an address that has one, tells that
 * address by email, so registration never reveals who has an account, neither
 * by its answer nor by its timing.
 */
@Injectable()
export class RegistrationService implements OnModuleInit {
  private readonly logger = new Logger('Registration');

  constructor(
    private readonly tx: Transactions,
    private readonly clock: Clock,
    private readonly jobs: JobQueue,
    private readonly recovery: JobRecovery,
    private readonly users: UsersService,
    private readonly passwords: PasswordService,
    private readonly authMail: AuthMailService,
    private readonly mail: MailService,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
    private readonly institutes: InstitutesService,
    private readonly memberships: MembershipsService,
    private readonly companies: CompaniesService,
    private readonly professionals: ProfessionalsService,
    @Inject(mailConfig.KEY) private readonly mailCfg: ConfigType<typeof mailConfig>,
    @InjectRepository(RegistrationRequest) private readonly requests: Repository<RegistrationRequest>,
  ) {}

  onModuleInit() {
    this.recovery.register('registrations', (olderThan) => this.requeueStale(olderThan));
  }

  async registerTeacher(dto: RegisterTeacherDto, meta: Meta): Promise<RegistrationAcceptedDto> {
    const email = normalizeEmail(dto.email);
    this.passwords.assertAcceptable(dto.password, email);
    const institute = await this.institutes.find(dto.instituteId);
    if (!institute || institute.status !== InstituteStatus.Active) {
      throw AppError.validation([{ field: 'instituteId', message: 'instituteId must be the id of an active institute' }], 'Unknown or inactive institute');
    }
    await this.accept(RegistrationKind.Teacher, dto, email, meta, { instituteId: institute.id });
    return ACCEPTED;
  }

  async registerProfessional(dto: RegisterProfessionalDto, meta: Meta): Promise<RegistrationAcceptedDto> {
    if (Boolean(dto.companyId) === Boolean(dto.companyName)) {
      throw AppError.validation([{ field: 'companyId', message: 'give either companyId or companyName' }], 'Give either companyId or companyName');
    }
    const email = normalizeEmail(dto.email);
    this.passwords.assertAcceptable(dto.password, email);
    if (dto.companyId) {
      const company = await this.companies.find(dto.companyId);
      if (!company || company.status !== CompanyStatus.Approved) {
        throw AppError.validation([{ field: 'companyId', message: 'companyId must be the id of an approved company' }], 'Unknown company');
      }
    }
    await this.accept(RegistrationKind.Professional, dto, email, meta, { companyId: dto.companyId ?? null, companyName: dto.companyName ?? null });
    return ACCEPTED;
  }

  /** A teacher whose institute is not registered: the account is created like a teacher's (to verify), and the institute is requested from staff. */
  async registerInstitute(dto: RegisterInstituteDto, meta: Meta): Promise<RegistrationAcceptedDto> {
    const email = normalizeEmail(dto.email);
    this.passwords.assertAcceptable(dto.password, email);
    await this.accept(RegistrationKind.Institute, dto, email, meta, {
      instituteName: dto.institute.name,
      instituteCity: dto.institute.city,
      instituteCountry: dto.institute.country,
    });
    return ACCEPTED;
  }

  private async accept(
    kind: RegistrationKind,
    dto: RegisterTeacherDto | RegisterProfessionalDto | RegisterInstituteDto,
    email: string,
    meta: Meta,
    target: Partial<Pick<RegistrationRequest, 'instituteId' | 'companyId' | 'companyName' | 'instituteName' | 'instituteCity' | 'instituteCountry'>>,
  ): Promise<void> {
    const id = newId();
    await this.requests.insert({
      id,
      kind,
      email,
      firstName: dto.firstName,
      lastName: dto.lastName,
      passwordHash: await this.passwords.hash(dto.password),
      locale: dto.locale ?? meta.locale,
      ip: meta.ip,
      ...target,
    });
    await this.jobs.enqueue(REGISTRATION_JOB, { requestId: id }, { jobId: id });
  }

  /** The `onboarding.registration` job: settles a request once (its row is deleted in the transaction that settles it). */
  async process(requestId: string): Promise<void> {
    const request = await this.requests.findOneBy({ id: requestId });
    if (!request) return;
    let mailIds: string[] | null;
    try {
      mailIds = await this.tx.run((em) => {
        if (request.kind === RegistrationKind.Teacher) return this.createTeacher(em, request);
        if (request.kind === RegistrationKind.Institute) return this.createInstituteRequester(em, request);
        return this.createProfessional(em, request);
      });
    } catch (error) {
      // A concurrent registration of the same address won: answer as for an existing account.
      if (!(error instanceof EmailTakenError)) throw error;
      mailIds = await this.tx.run((em) => this.existingAccount(em, request));
    }
    if (mailIds) await this.mail.dispatch(mailIds);
  }

  /** Deletes the request row first: of two runs of one request, the second finds nothing and stops. */
  private async claim(em: EntityManager, request: RegistrationRequest): Promise<boolean> {
    const res = await em.delete(RegistrationRequest, { id: request.id });
    return Boolean(res.affected);
  }

  private async createTeacher(em: EntityManager, request: RegistrationRequest): Promise<string[] | null> {
    if (!(await this.claim(em, request))) return null;
    if (await this.users.findByEmail(request.email, em)) return this.existingAccount(em, request, true);
    const institute = await this.institutes.find(request.instituteId!, em);
    if (!institute) {
      this.logger.warn({ instituteId: request.instituteId }, 'A teacher registration named an institute that no longer exists: dropped');
      return [];
    }
    const user = await this.insertUser(em, request);
    await this.memberships.addPending(em, user.id, institute.id, MembershipRole.Teacher);
    const managers = await this.memberships.activeManagers(em, institute.id);
    // An institute without an active manager: staff take the request, so nobody waits on nobody.
    const routedToStaff = managers.length === 0;
    const recipients = routedToStaff ? await this.users.staff(em) : managers;
    if (!recipients.length) this.logger.warn({ instituteId: institute.id }, 'A teacher registered where there is neither an active manager nor any staff');
    const teacherName = `${user.firstName} ${user.lastName}`;
    const link = `${this.mailCfg.appUrl}/institutes/${institute.id}/members/${user.id}`;
    await this.notifications.create(
      em,
      recipients.map((r) => ({
        userId: r.id,
        type: NotificationType.TeacherPending,
        title: `${teacherName} asks to join ${institute.name} as a teacher`,
        data: { instituteId: institute.id, instituteName: institute.name, userId: user.id, teacherName, teacherEmail: user.email, routedToStaff, link },
      })),
    );
    await this.audit.record(
      {
        action: 'auth.registered',
        actorId: user.id,
        targetType: 'user',
        targetId: user.id,
        instituteId: institute.id,
        ip: request.ip,
        details: { as: 'teacher', routedToStaff },
      },
      em,
    );
    const about = { type: 'membership', id: user.id, instituteId: institute.id };
    return [
      ...(await this.authMail.record([{ userId: user.id, kind: 'verify-email', about }], em)),
      ...(await this.mail.record(
        recipients.map((r): OutgoingMail => ({
          to: r.email,
          userId: r.id,
          template: 'teacher-pending',
          locale: r.locale,
          context: { firstName: r.firstName, teacherName, teacherEmail: user.email, instituteName: institute.name, link, routedToStaff },
          about,
        })),
        em,
      )),
    ];
  }

  /**
   * The requester's account (unverified: the verification email goes out) and
   * the institute request that staff will see once the address is verified.
   */
  private async createInstituteRequester(em: EntityManager, request: RegistrationRequest): Promise<string[] | null> {
    if (!(await this.claim(em, request))) return null;
    if (await this.users.findByEmail(request.email, em)) return this.existingAccount(em, request, true);
    const user = await this.insertUser(em, request);
    const instituteRequestId = newId();
    await em.insert(InstituteRequest, {
      id: instituteRequestId,
      requesterId: user.id,
      name: request.instituteName!,
      searchName: foldText(request.instituteName!).slice(0, 200),
      city: request.instituteCity,
      country: request.instituteCountry,
    });
    await this.audit.record(
      {
        action: 'auth.registered',
        actorId: user.id,
        targetType: 'user',
        targetId: user.id,
        ip: request.ip,
        details: { as: 'institute_requester', instituteRequestId },
      },
      em,
    );
    return this.authMail.record([{ userId: user.id, kind: 'verify-email', about: { type: 'institute_request', id: instituteRequestId } }], em);
  }

  private async createProfessional(em: EntityManager, request: RegistrationRequest): Promise<string[] | null> {
    if (!(await this.claim(em, request))) return null;
    if (await this.users.findByEmail(request.email, em)) return this.existingAccount(em, request, true);
    const chosen = request.companyId ? await this.companies.find(request.companyId, em) : null;
    if (request.companyId && !chosen) {
      this.logger.warn({ companyId: request.companyId }, 'A professional registration named a company that no longer exists: dropped');
      return [];
    }
    const user = await this.insertUser(em, request);
    const submittedAt = this.clock.now();
    const { company, created } = chosen ? { company: chosen, created: false } : await this.companies.findOrCreateByName(em, request.companyName!, user.id);
    await this.professionals.requestAffiliation(em, user.id, company.id, submittedAt);
    const staff = await this.users.staff(em);
    const name = `${user.firstName} ${user.lastName}`;
    await this.notifications.create(
      em,
      staff.map((s) => ({
        userId: s.id,
        type: NotificationType.ProfessionalPending,
        title: `${name} (${company.name}) waits for validation`,
        data: {
          userId: user.id,
          name,
          email: user.email,
          companyId: company.id,
          companyName: company.name,
          companyIsNew: created,
          dueAt: dueAt(submittedAt).toISOString(),
        },
      })),
    );
    if (created) {
      await this.audit.record(
        { action: 'company.registered', actorId: user.id, targetType: 'company', targetId: company.id, ip: request.ip, details: { name: company.name } },
        em,
      );
    }
    await this.audit.record(
      {
        action: 'auth.registered',
        actorId: user.id,
        targetType: 'user',
        targetId: user.id,
        ip: request.ip,
        details: { as: 'professional', companyId: company.id, companyCreated: created },
      },
      em,
    );
    const about = { type: 'user', id: user.id };
    return [
      ...(await this.authMail.record([{ userId: user.id, kind: 'verify-email', about }], em)),
      ...(await this.mail.record(
        staff.map((s): OutgoingMail => ({
          to: s.email,
          userId: s.id,
          template: 'professional-pending',
          locale: s.locale,
          context: {
            firstName: s.firstName,
            professionalName: name,
            professionalEmail: user.email,
            companyName: company.name,
            companyIsNew: company.status === CompanyStatus.Pending,
            dueAt: mailDate(dueAt(submittedAt)),
            link: `${this.mailCfg.appUrl}/admin/professionals`,
          },
          about,
        })),
        em,
      )),
    ];
  }

  /**
   * The address already has an account: nothing about it changes now. A
   * confirmed account is told someone tried to register, with sign-in and reset
   * links; an unconfirmed one gets a link to finish by choosing the password
   * (which confirms the address and replaces any password set before).
   */
  private async existingAccount(em: EntityManager, request: RegistrationRequest, claimed = false): Promise<string[] | null> {
    if (!claimed && !(await this.claim(em, request))) return null;
    const existing = await this.users.findByEmail(request.email, em);
    if (!existing) return [];
    const verified = Boolean(existing.emailVerifiedAt);
    await this.audit.record(
      { action: 'auth.registration_existing_account', actorId: null, targetType: 'user', targetId: existing.id, ip: request.ip, details: { verified } },
      em,
    );
    // Never a verification link for an unconfirmed account here: its password may be a stranger's
    // (someone who registered this address first), and confirming it would hand them the account.
    return this.authMail.record(
      [
        verified
          ? { userId: existing.id, kind: 'account-exists', context: { loginLink: `${this.mailCfg.appUrl}/login` } }
          : { userId: existing.id, kind: 'finish-registration' },
      ],
      em,
    );
  }

  private async insertUser(em: EntityManager, request: RegistrationRequest): Promise<User> {
    const row = {
      id: newId(),
      email: request.email,
      firstName: request.firstName,
      lastName: request.lastName,
      passwordHash: request.passwordHash,
      emailVerifiedAt: null,
      locale: request.locale,
      createdById: null,
    };
    // A concurrent registration of the same address wins: EmailTakenError, answered as an existing account.
    await this.users.insert(row, em);
    return em.create(User, row);
  }

  /** Requests whose job Redis lost (or that the embedded default dropped at a restart). */
  private async requeueStale(olderThan: Date): Promise<number> {
    const stale = await this.requests.find({ select: { id: true }, where: { createdAt: LessThan(olderThan) }, order: { createdAt: 'ASC' }, take: 1000 });
    await this.jobs.enqueueMany(
      REGISTRATION_JOB,
      stale.map((r) => ({ data: { requestId: r.id }, options: { jobId: r.id } })),
    );
    return stale.length;
  }
}
