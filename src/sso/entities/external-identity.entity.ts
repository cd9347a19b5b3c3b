import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../../common/entities/base.entity';

/** A person at an identity provider, `(providerId, subject)`, linked to one account. */
@Entity('external_identities')
@Index('UQ_external_identities_subject', ['providerId', 'subject'], { unique: true })
@Index('IDX_external_identities_user', ['userId'])
export class ExternalIdentity extends BaseEntity {
  @Column({ type: 'varchar', length: 36 })
  providerId: string;

  @Column({ type: 'varchar', length: 255 })
  subject: string;

  @Column({ type: 'varchar', length: 36 })
  userId: string;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  lastSignInAt: Date | null;
}
