import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../../common/entities/base.entity';

export enum InstituteRequestStatus {
  Pending = 'pending',
  Approved = 'approved',
  Rejected = 'rejected',
  /** Folded into an existing institute: the requester joined it as a pending teacher. */
  Folded = 'folded',
}

/** A request to register an institute, made by a person who becomes its first manager once staff approve. */
@Entity('institute_requests')
@Index('IDX_institute_requests_status_created', ['status', 'createdAt', 'id'])
export class InstituteRequest extends BaseEntity {
  @Column({ type: 'varchar', length: 36 })
  requesterId: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  /** The name folded (common/text.ts foldText), for close-name matching. */
  @Column({ type: 'varchar', length: 200 })
  searchName: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  city: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  country: string | null;

  @Column({ type: 'varchar', length: 16, default: InstituteRequestStatus.Pending })
  status: InstituteRequestStatus;

  /** The institute created (approved) or joined (folded). */
  @Column({ type: 'varchar', length: 36, nullable: true })
  instituteId: string | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  decidedById: string | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  decidedAt: Date | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  reason: string | null;
}
