import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { BaseEntity } from '../../common/entities/base.entity';

@Entity('users')
export class User extends BaseEntity {
  /** Stored lower-cased and trimmed; unique in the database. */
  @Index('UQ_users_email', { unique: true })
  @Column({ type: 'varchar', length: 254 })
  email: string;

  @Column({ type: 'varchar', length: 100 })
  firstName: string;

  @Column({ type: 'varchar', length: 100 })
  lastName: string;

  /** firstName and lastName folded (users/email.ts foldName), for member search; written with the names. */
  @Column({ type: 'varchar', length: 100, default: '', select: false })
  foldedFirstName: string;

  @Column({ type: 'varchar', length: 100, default: '', select: false })
  foldedLastName: string;

  @Column({ type: 'varchar', length: 255, nullable: true, select: false })
  passwordHash: string | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  emailVerifiedAt: Date | null;

  @Column({ type: 'boolean', default: false })
  isStaff: boolean;

  @Column({ type: 'varchar', length: 8, default: 'en' })
  locale: string;

  @Column({ type: 'varchar', length: 36, nullable: true })
  createdById: string | null;

  @ManyToOne(() => User, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'createdById' })
  createdBy?: User | null;

  @Column({ type: 'int', default: 0 })
  failedLoginCount: number;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  lockedUntil: Date | null;

  /** Carried in access tokens; bumped on password reset/change so older tokens fail at once. */
  @Column({ type: 'int', default: 0 })
  tokenVersion: number;

  /** Set by staff: sign-in is refused (ACCOUNT_DISABLED) and the token version is bumped. */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  disabledAt: Date | null;

  /** When an invitation (set-password or welcome) was last resent; one a minute at most. */
  @Column({ type: 'datetime', precision: 3, nullable: true, select: false })
  invitationSentAt: Date | null;
}
