import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AccessService } from '../auth/access.service';
import { AuthMailService } from '../auth/auth-mail.service';
import { AuthUser } from '../auth/auth.types';
import { PasswordService } from '../auth/password.service';
import { Clock } from '../common/clock';
import { AppError } from '../common/errors/app-error';
import { Transactions } from '../common/transactions';
import { CreateUserDto } from './dto/create-user.dto';
import { normalizeEmail } from './email';
import { User } from './entities/user.entity';
import { EmailTakenError, UsersService } from './users.service';
import { newId } from '../common/ids';

export interface PreparedUser {
  row: Partial<User> & { id: string; email: string };
  /** No password given: a set-password email must follow the commit. */
  needsPassword: boolean;
}

/** "Create a user" and who may see a user: shared by /users and /institutes/:id/members. */
@Injectable()
export class UserAccountsService {
  constructor(
    private readonly users: UsersService,
    private readonly passwords: PasswordService,
    private readonly access: AccessService,
    private readonly clock: Clock,
    private readonly tx: Transactions,
    private readonly audit: AuditService,
    private readonly authMail: AuthMailService,
  ) {}

  /** Validates and hashes outside any transaction (argon2 is slow; locks must stay short). */
  async prepare(dto: CreateUserDto, creatorId: string, locale: string): Promise<PreparedUser> {
    const email = normalizeEmail(dto.email);
    if (dto.password !== undefined) this.passwords.assertAcceptable(dto.password, email);
    return {
      row: {
        id: newId(),
        email,
        firstName: dto.firstName,
        lastName: dto.lastName,
        passwordHash: dto.password !== undefined ? await this.passwords.hash(dto.password) : null,
        // The institute vouches for accounts it creates.
        emailVerifiedAt: this.clock.now(),
        locale: dto.locale ?? locale,
        createdById: creatorId,
      },
      needsPassword: dto.password === undefined,
    };
  }

  /** Inserts inside `em`; a taken email is 409 EMAIL_TAKEN (the unique index decides). */
  async insert(em: EntityManager, prepared: PreparedUser, ip: string | null, instituteId: string | null = null): Promise<void> {
    try {
      await this.users.insert(prepared.row, em);
    } catch (error) {
      if (error instanceof EmailTakenError) throw AppError.conflict('EMAIL_TAKEN', error.message);
      throw error;
    }
    await this.audit.record(
      {
        action: 'user.created',
        actorId: prepared.row.createdById,
        targetType: 'user',
        targetId: prepared.row.id,
        instituteId,
        ip,
        details: { withPassword: !prepared.needsPassword },
      },
      em,
    );
  }

  async create(dto: CreateUserDto, creator: AuthUser, meta: { ip: string | null; locale: string }): Promise<User> {
    const prepared = await this.prepare(dto, creator.id, meta.locale);
    await this.tx.run((em) => this.insert(em, prepared, meta.ip));
    if (prepared.needsPassword) await this.authMail.send(prepared.row.id, 'set-password');
    return (await this.users.findById(prepared.row.id))!;
  }

  /**
   * Staff, the user, managers/teachers of an institute where the user is a
   * member, or the creator while the user belongs nowhere. Anyone else: 404.
   */
  async getVisible(caller: AuthUser, userId: string): Promise<User> {
    const user = await this.users.findById(userId);
    if (!user || !(await this.access.canSeeAccount(caller, user))) throw AppError.notFound('USER_NOT_FOUND', 'User not found');
    return user;
  }
}
