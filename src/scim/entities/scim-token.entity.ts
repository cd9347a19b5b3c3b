import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../../common/entities/base.entity';

/** A bearer token an institute's directory provisions with. Only its SHA-256 is stored. */
@Entity('scim_tokens')
@Index('IDX_scim_tokens_institute_created', ['instituteId', 'createdAt'])
export class ScimToken extends BaseEntity {
  @Column({ type: 'varchar', length: 36 })
  instituteId: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Index('UQ_scim_tokens_hash', { unique: true })
  @Column({ type: 'varchar', length: 64, select: false })
  tokenHash: string;

  @Column({ type: 'varchar', length: 36, nullable: true })
  createdById: string | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  lastUsedAt: Date | null;

  /** Revoked tokens are kept so the audit log's actor ids still name a token. */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  revokedAt: Date | null;
}
