import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { BaseEntity } from '../../common/entities/base.entity';
import { Institute } from '../../institutes/entities/institute.entity';
import { User } from '../../users/entities/user.entity';

import { MembershipRole, MembershipStatus } from '../../auth/roles';

export { MembershipRole, MembershipStatus };

/**
 * The members search's index on each copied search key, within the institute
 * (migration 1765785600000; MySQL only: SQLite's LIKE reads no index).
 */
export const MEMBER_SEARCH_INDEXES = {
  searchEmail: 'IDX_memberships_search_email',
  searchLastName: 'IDX_memberships_search_last_name',
  searchFirstName: 'IDX_memberships_search_first_name',
} as const;

/** The User <--> Institute relation: one per user and institute. */
@Entity('memberships')
@Index('UQ_memberships_user_institute', ['userId', 'instituteId'], { unique: true })
@Index('IDX_memberships_institute_role_status', ['instituteId', 'role', 'status'])
@Index('UQ_memberships_institute_external', ['instituteId', 'externalId'], { unique: true })
@Index('IDX_memberships_institute_group', ['instituteId', 'group'])
@Index(MEMBER_SEARCH_INDEXES.searchEmail, ['instituteId', 'searchEmail', 'createdAt'])
@Index(MEMBER_SEARCH_INDEXES.searchLastName, ['instituteId', 'searchLastName', 'createdAt'])
@Index(MEMBER_SEARCH_INDEXES.searchFirstName, ['instituteId', 'searchFirstName', 'createdAt'])
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

  /**
   * The account's email and folded names, copied for the members search (see
   * member-search.ts: an import's bulk INSERT of new accounts' memberships writes
   * them, syncMemberSearch everywhere else). Never read into an entity nor written
   * by TypeORM: its INSERT leaves them empty for syncMemberSearch to fill in the
   * same transaction.
   */
  @Column({ type: 'varchar', length: 254, default: '', select: false, insert: false, update: false })
  searchEmail: string;

  @Column({ type: 'varchar', length: 100, default: '', select: false, insert: false, update: false })
  searchFirstName: string;

  @Column({ type: 'varchar', length: 100, default: '', select: false, insert: false, update: false })
  searchLastName: string;
}
