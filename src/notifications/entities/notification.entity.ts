import { Column, Entity, Index } from 'typeorm';
import { ImmutableEntity } from '../../common/entities/base.entity';

@Entity('notifications')
@Index('IDX_notifications_user_created', ['userId', 'createdAt'])
export class Notification extends ImmutableEntity {
  @Column({ type: 'varchar', length: 36 })
  userId: string;

  @Column({ type: 'varchar', length: 64 })
  type: string;

  @Column({ type: 'varchar', length: 300 })
  title: string;

  /** JSON payload (ids, names, links) the frontend renders. */
  @Column({ type: 'simple-json', nullable: true })
  data: Record<string, unknown> | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  readAt: Date | null;
}
