import { Column, Entity, Index } from 'typeorm';
import { ImmutableEntity } from '../../common/entities/base.entity';

export enum TokenPurpose {
  VerifyEmail = 'verify_email',
  ResetPassword = 'reset_password',
  /** A first password for an account created by an institute (manual or import). */
  SetPassword = 'set_password',
}

/** Email tokens: only the SHA-256 of the token is stored; single use. */
@Entity('one_time_tokens')
@Index('IDX_one_time_tokens_user_purpose', ['userId', 'purpose'])
export class OneTimeToken extends ImmutableEntity {
  @Column({ type: 'varchar', length: 36 })
  userId: string;

  @Column({ type: 'varchar', length: 32 })
  purpose: TokenPurpose;

  @Index('UQ_one_time_tokens_hash', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  tokenHash: string;

  @Column({ type: 'datetime', precision: 3 })
  expiresAt: Date;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  usedAt: Date | null;
}
