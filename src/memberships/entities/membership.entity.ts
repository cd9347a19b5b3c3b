import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { BaseEntity } from '../../common/entities/base.entity';
import { Institute } from '../../institutes/entities/institute.entity';
import { User } from '../../users/entities/user.entity';

import { MembershipRole, MembershipStatus } from '../../auth/roles';

export { MembershipRole, MembershipStatus };

/** The members search's join from the matching accounts (migration 1765612800000). */
export const MEMBER_SEARCH_INDEX = 'IDX_memberships_user_institute_created';

/** The User <--> Institute relation: one per user and institute. */
@Entity('memberships')
@Index('UQ_memberships_user_institute', ['userId', 'instituteId'], { unique: true })
@Index('IDX_memberships_institute_role_status', ['instituteId', 'role', 'status'])
@Index('UQ_memberships_institute_external', ['instituteId', 'externalId'], { unique: true })
@Index('IDX_memberships_institute_group', ['instituteId', 'group'])
@Index(MEMBER_SEARCH_INDEX, ['userId', 'instituteId', 'createdAt'])
export class Membership extends BaseEntity {
  @Column({ type: 'varchar', length: 36 })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'userId' })
  user?: User;

  @Column({ type: 'varchar', length: 36 })
  instituteId: string;

  @ManyToOne(() => Institute, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'instituteId' })
  institute?: Institute;

  @Column({ type: 'varchar', length: 16 })
  role: MembershipRole;

  @Column({ type: 'varchar', length: 16 })
  status: MembershipStatus;

  // `group` is an SQL keyword; the column gets a name that needs no quoting in raw SQL.
  @Column({ name: 'groupName', type: 'varchar', length: 100, nullable: true })
  group: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  department: string | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  createdById: string | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  validatedById: string | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  validatedAt: Date | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  rejectionReason: string | null;

  /** The person's id in the institute's directory (SCIM `externalId`), unique per institute, compared byte for byte. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  externalId: string | null;
}
