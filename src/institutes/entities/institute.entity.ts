import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../../common/entities/base.entity';

export enum InstituteStatus {
  Active = 'active',
  Inactive = 'inactive',
}

@Entity('institutes')
@Index('IDX_institutes_status_search', ['status', 'searchName'])
@Index('IDX_institutes_created', ['createdAt', 'id'])
export class Institute extends BaseEntity {
  @Column({ type: 'varchar', length: 200 })
  name: string;

  /** The name folded for search: lower case, accents and punctuation removed. */
  @Column({ type: 'varchar', length: 200 })
  searchName: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  city: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  country: string | null;

  @Column({ type: 'varchar', length: 16, default: InstituteStatus.Active })
  status: InstituteStatus;
}
