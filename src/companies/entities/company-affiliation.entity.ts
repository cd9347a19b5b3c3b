import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { BaseEntity } from '../../common/entities/base.entity';
import { User } from '../../users/entities/user.entity';
import { Company } from './company.entity';

export enum AffiliationStatus {
  Pending = 'pending',
  Approved = 'approved',
  Rejected = 'rejected',
}

/** A professional's link to their company: at most one per user. */
@Entity('company_affiliations')
@Index('IDX_company_affiliations_status_submitted', ['status', 'submittedAt'])
export class CompanyAffiliation extends BaseEntity {
  @Index('UQ_company_affiliations_user', { unique: true })
  @Column({ type: 'varchar', length: 36 })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'userId' })
  user?: User;

  @Column({ type: 'varchar', length: 36 })
  companyId: string;

  @ManyToOne(() => Company, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'companyId' })
  company?: Company;

  @Column({ type: 'varchar', length: 16, default: AffiliationStatus.Pending })
  status: AffiliationStatus;

  @Column({ type: 'datetime', precision: 3 })
  submittedAt: Date;

  @Column({ type: 'varchar', length: 36, nullable: true })
  decidedById: string | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  decidedAt: Date | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  reason: string | null;

  /** Last 48-hour reminder stage announced to staff (0 none, 1 due soon, 2 overdue). */
  @Column({ type: 'int', default: 0 })
  reminderStage: number;
}
