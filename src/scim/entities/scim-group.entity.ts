import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../../common/entities/base.entity';

/**
 * A directory's group: it names a class of the institute, and its members are
 * the members whose `group` it is. Kept as a row so that a group has a stable
 * id, exists before its first member and keeps its directory's externalId.
 */
@Entity('scim_groups')
@Index('UQ_scim_groups_institute_name', ['instituteId', 'displayName'], { unique: true })
@Index('UQ_scim_groups_institute_external', ['instituteId', 'externalId'], { unique: true })
export class ScimGroup extends BaseEntity {
  @Column({ type: 'varchar', length: 36 })
  instituteId: string;

  @Column({ type: 'varchar', length: 100 })
  displayName: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  externalId: string | null;
}
