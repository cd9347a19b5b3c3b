import { Column, Entity, Index } from 'typeorm';
import { ImmutableEntity } from '../../common/entities/base.entity';

/** Append-only security and administration log. No foreign keys: entries outlive what they name. */
@Entity('audit_entries')
@Index('IDX_audit_entries_institute_created', ['instituteId', 'createdAt'])
@Index('IDX_audit_entries_action_created', ['action', 'createdAt'])
@Index('IDX_audit_entries_created', ['createdAt'])
@Index('IDX_audit_entries_actor', ['actorId'])
@Index('IDX_audit_entries_target', ['targetId'])
export class AuditEntry extends ImmutableEntity {
  @Column({ type: 'varchar', length: 36, nullable: true })
  actorId: string | null;

  @Column({ type: 'varchar', length: 64 })
  action: string;

  @Column({ type: 'varchar', length: 32, nullable: true })
  targetType: string | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  targetId: string | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  instituteId: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip: string | null;

  @Column({ type: 'simple-json', nullable: true })
  details: Record<string, unknown> | null;
}
