import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { AppError } from '../common/errors/app-error';
import { isUniqueViolation } from '../common/errors/db-errors';
import { Transactions } from '../common/transactions';
import { CompaniesService } from '../companies/companies.service';
import { AffiliationStatus, CompanyAffiliation } from '../companies/entities/company-affiliation.entity';
import { Company, CompanyStatus } from '../companies/entities/company.entity';
import { dueAt, ProfessionalsService } from '../companies/professionals.service';
import { mailConfig } from '../config/configuration';
import { Institute, InstituteStatus } from '../institutes/entities/institute.entity';
import { MailService } from '../mail/mail.service';
import { mailDate, MailMessage } from '../mail/mail.types';
import { Membership, MembershipRole, MembershipStatus } from '../memberships/entities/membership.entity';
import { NotificationsService } from '../notifications/notifications.service';
import { NotificationType } from '../notifications/notifications.types';
import { normalizeEmail } from '../users/email';
import { User } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import { AuthMailService } from './auth-mail.service';
import { RegisterProfessionalDto, RegisterTeacherDto, RegistrationAcceptedDto } from './dto/register.dto';
import { PasswordService } from './password.service';

const ACCEPTED: RegistrationAcceptedDto = { status: 'pending_validation' };

interface Meta {
  ip: string | null;
  locale: string;
}

/** Thrown inside the transaction when the email turned out to be taken meanwhile. */
class EmailTaken extends Error {}

/**
 * Self-registration of teachers (validated by their institute's managers) and
 * professionals (validated by staff). Every outcome answers the same 202: an
 * address that already has an account is told so by email, so registration
 * never reveals who has an account.
 */
@Injectable()
export class RegistrationService {
  private readonly logger = new Logger('Registration');

  constructor(
    private readonly tx: Transactions,
    private readonly clock: Clock,
    private readonly users: UsersService,
    private readonly passwords: PasswordService,
    private readonly authMail: AuthMailService,
    private readonly mail: MailService,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
    private readonly companies: CompaniesService,
    private readonly professionals: ProfessionalsService,
    @Inject(mailConfig.KEY) private readonly mailCfg: ConfigType<typeof mailConfig>,
  ) {}

  async registerTeacher(dto: RegisterTeacherDto, meta: Meta): Promise<RegistrationAcceptedDto> {
    const email = normalizeEmail(dto.email);
    this.passwords.assertAcceptable(dto.password, email);
    const institute = await this.users.repository.manager.findOneBy(Institute, { id: dto.instituteId });
    if (!institute || institute.status !== InstituteStatus.Active) {
      throw AppError.validation([{ field: 'instituteId', message: 'instituteId must be the id of an active institute' }], 'Unknown or inactive institute');
    }
    // Hashed before looking the address up: both outcomes spend the same argon2 time.
    const passwordHash = await this.passwords.hash(dto.password);
    if (await this.users.findByEmail(email)) return this.existingAccount(email, meta);

    const user = this.newUser(dto, email, passwordHash, meta);
    const link = `${this.mailCfg.appUrl}/institutes/${institute.id}/members/${user.id}`;
    let outcome: { recipients: User[]; routedToStaff: boolean };
    try {
      outcome = await this.tx.run(async (em) => {
        await this.insertUser(em, user);
        await em.insert(Membership, {
          id: randomUUID(),
          userId: user.id,
          instituteId: institute.id,
          role: MembershipRole.Teacher,
          status: MembershipStatus.Pending,
          createdById: user.id,
        });
        const managers = await em
          .createQueryBuilder(User, 'u')
          .innerJoin(Membership, 'm', 'm.userId = u.id')
          .where('m.instituteId = :id AND m.role = :manager AND m.status = :active', { id: institute.id, manager: MembershipRole.Manager, active: MembershipStatus.Active })
          .getMany();
        // An institute without an active manager: staff take the request, so nobody waits on nobody.
        const routedToStaff = managers.length === 0;
        const recipients = routedToStaff ? await this.professionals.staff(em) : managers;
        const teacherName = `${user.firstName} ${user.lastName}`;
        await this.notifications.create(
          em,
          recipients.map((r) => ({
            userId: r.id,
            type: NotificationType.TeacherPending,
            title: `${teacherName} asks to join ${institute.name} as a teacher`,
            data: { instituteId: institute.id, instituteName: institute.name, userId: user.id, teacherName, teacherEmail: email, routedToStaff, link },
          })),
        );
        await this.audit.record(
          { action: 'auth.registered', actorId: user.id, targetType: 'user', targetId: user.id, instituteId: institute.id, ip: meta.ip, details: { as: 'teacher', routedToStaff } },
          em,
        );
        return { recipients, routedToStaff };
      });
    } catch (error) {
      if (error instanceof EmailTaken) return this.existingAccount(email, meta);
      throw error;
    }
    if (!outcome.recipients.length) this.logger.warn({ instituteId: institute.id }, 'A teacher registered where there is neither an active manager nor any staff');

    await this.authMail.send(user.id, 'verify-email');
    await this.mail.sendMany(
      outcome.recipients.map(
        (r): MailMessage => ({
          to: r.email,
          template: 'teacher-pending',
          locale: r.locale,
          context: { firstName: r.firstName, teacherName: `${user.firstName} ${user.lastName}`, teacherEmail: email, instituteName: institute.name, link, routedToStaff: outcome.routedToStaff },
        }),
      ),
    );
    return ACCEPTED;
  }

  async registerProfessional(dto: RegisterProfessionalDto, meta: Meta): Promise<RegistrationAcceptedDto> {
    if (Boolean(dto.companyId) === Boolean(dto.companyName)) {
      throw AppError.validation([{ field: 'companyId', message: 'give either companyId or companyName' }], 'Give either companyId or companyName');
    }
    const email = normalizeEmail(dto.email);
    this.passwords.assertAcceptable(dto.password, email);
    if (dto.companyId) {
      const company = await this.users.repository.manager.findOneBy(Company, { id: dto.companyId });
      if (!company || company.status !== CompanyStatus.Approved) {
        throw AppError.validation([{ field: 'companyId', message: 'companyId must be the id of an approved company' }], 'Unknown company');
      }
    }
    const passwordHash = await this.passwords.hash(dto.password);
    if (await this.users.findByEmail(email)) return this.existingAccount(email, meta);

    const user = this.newUser(dto, email, passwordHash, meta);
    const submittedAt = this.clock.now();
    let outcome: { staff: User[]; company: Company; companyIsNew: boolean };
    try {
      outcome = await this.tx.run(async (em) => {
        await this.insertUser(em, user);
        const { company, created } = dto.companyId
          ? { company: (await em.findOneBy(Company, { id: dto.companyId }))!, created: false }
          : await this.companies.findOrCreateByName(em, dto.companyName!, user.id);
        await em.insert(CompanyAffiliation, { id: randomUUID(), userId: user.id, companyId: company.id, status: AffiliationStatus.Pending, submittedAt, reminderStage: 0 });
        const staff = await this.professionals.staff(em);
        const name = `${user.firstName} ${user.lastName}`;
        await this.notifications.create(
          em,
          staff.map((s) => ({
            userId: s.id,
            type: NotificationType.ProfessionalPending,
            title: `${name} (${company.name}) waits for validation`,
            data: { userId: user.id, name, email, companyId: company.id, companyName: company.name, companyIsNew: created, dueAt: dueAt(submittedAt).toISOString() },
          })),
        );
        if (created) {
          await this.audit.record({ action: 'company.registered', actorId: user.id, targetType: 'company', targetId: company.id, ip: meta.ip, details: { name: company.name } }, em);
        }
        await this.audit.record(
          { action: 'auth.registered', actorId: user.id, targetType: 'user', targetId: user.id, ip: meta.ip, details: { as: 'professional', companyId: company.id, companyCreated: created } },
          em,
        );
        return { staff, company, companyIsNew: company.status === CompanyStatus.Pending };
      });
    } catch (error) {
      if (error instanceof EmailTaken) return this.existingAccount(email, meta);
      throw error;
    }

    await this.authMail.send(user.id, 'verify-email');
    await this.mail.sendMany(
      outcome.staff.map(
        (s): MailMessage => ({
          to: s.email,
          template: 'professional-pending',
          locale: s.locale,
          context: {
            firstName: s.firstName,
            professionalName: `${user.firstName} ${user.lastName}`,
            professionalEmail: email,
            companyName: outcome.company.name,
            companyIsNew: outcome.companyIsNew,
            dueAt: mailDate(dueAt(submittedAt)),
            link: `${this.mailCfg.appUrl}/admin/professionals`,
          },
        }),
      ),
    );
    return ACCEPTED;
  }

  /**
   * The address already has an account: the same 202 goes back. Still unverified
   * (registering again) → a fresh verification link; otherwise an email saying
   * someone tried to register, with sign-in and reset links.
   */
  private async existingAccount(email: string, meta: Meta): Promise<RegistrationAcceptedDto> {
    const existing = await this.users.findByEmail(email);
    if (!existing) return ACCEPTED;
    const verified = Boolean(existing.emailVerifiedAt);
    await this.audit.record({ action: 'auth.registration_existing_account', actorId: null, targetType: 'user', targetId: existing.id, ip: meta.ip, details: { verified } });
    if (verified) await this.authMail.send(existing.id, 'account-exists', { loginLink: `${this.mailCfg.appUrl}/login` });
    else await this.authMail.send(existing.id, 'verify-email');
    return ACCEPTED;
  }

  private newUser(dto: RegisterTeacherDto | RegisterProfessionalDto, email: string, passwordHash: string, meta: Meta) {
    return {
      id: randomUUID(),
      email,
      firstName: dto.firstName,
      lastName: dto.lastName,
      passwordHash,
      emailVerifiedAt: null,
      locale: dto.locale ?? meta.locale,
      createdById: null,
    };
  }

  private async insertUser(em: EntityManager, row: Partial<User>): Promise<void> {
    try {
      await em.insert(User, row);
    } catch (error) {
      // A concurrent registration of the same address won: answer as for an existing account.
      if (isUniqueViolation(error)) throw new EmailTaken();
      throw error;
    }
  }
}
