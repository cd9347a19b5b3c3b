import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../../common/entities/base.entity';

export enum CompanyStatus {
  Pending = 'pending',
  Approved = 'approved',
  Rejected = 'rejected',
}

@Entity('companies')
export class Company extends BaseEntity {
  @Column({ type: 'varchar', length: 200 })
  name: string;

  /** Name folded for duplicate detection (case, accents, punctuation, legal suffixes). Unique. */
  @Index('UQ_companies_normalized_name', { unique: true })
  @Column({ type: 'varchar', length: 200 })
  normalizedName: string;

  @Column({ type: 'varchar', length: 16, default: CompanyStatus.Pending })
  status: CompanyStatus;

  @Column({ type: 'varchar', length: 36, nullable: true })
  createdById: string | null;
}
