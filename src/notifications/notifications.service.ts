import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, IsNull, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { Clock } from '../common/clock';
import { AppError } from '../common/errors/app-error';
import { keysetPage, Page } from '../common/pagination';
import { ErasedPerson, mentionsSql, PersonalDataRegistry } from '../common/personal-data';
import { ListNotificationsQueryDto, NotificationResponseDto } from './dto/notification.dto';
import { Notification } from './entities/notification.entity';
import { NewNotification } from './notifications.types';
import { newId } from '../common/ids';

@Injectable()
export class NotificationsService implements OnModuleInit {
  constructor(
    private readonly clock: Clock,
    private readonly personalData: PersonalDataRegistry,
    @InjectRepository(Notification) private readonly notifications: Repository<Notification>,
  ) {}

  onModuleInit() {
    this.personalData.register({
      section: 'notifications',
      export: async ({ userId }) =>
        (await this.notifications.find({ where: { userId }, order: { createdAt: 'ASC' } })).map((n) => NotificationResponseDto.from(n)),
      // The person's own notifications, and those telling others about them (a manager told of a registration).
      erase: async (person: ErasedPerson, em: EntityManager) => {
        const m = mentionsSql(['title', 'data'], person);
        await em.query(`DELETE FROM notifications WHERE userId = ? OR ${m.sql}`, [person.userId, ...m.params]);
      },
    });
  }

  /** Written inside `em`: a notification commits or rolls back with the event it reports. */
  async create(em: EntityManager, items: NewNotification[]): Promise<void> {
    if (!items.length) return;
    const now = this.clock.now();
    await em.insert(
      Notification,
      items.map((n) => ({
        id: newId(),
        userId: n.userId,
        type: n.type,
        title: n.title.slice(0, 300),
        data: (n.data ?? null) as QueryDeepPartialEntity<Notification>['data'],
        readAt: null,
        createdAt: now,
      })),
    );
  }

  /** The caller's notifications, newest first, keyset on (createdAt, id). */
  async list(userId: string, query: ListNotificationsQueryDto): Promise<Page<NotificationResponseDto>> {
    const qb = this.notifications.createQueryBuilder('n').where('n.userId = :userId', { userId });
    if (query.unread === true) qb.andWhere('n.readAt IS NULL');
    if (query.unread === false) qb.andWhere('n.readAt IS NOT NULL');
    return keysetPage(qb, { at: 'n.createdAt', id: 'n.id', order: 'DESC', query, defaultLimit: 50, keyOf: (r) => ({ at: r.createdAt, id: r.id }) }, (rows) =>
      rows.map((r) => NotificationResponseDto.from(r)),
    );
  }

  /** 204 whether it was read already or not; another user's notification is 404. */
  async markRead(userId: string, id: string): Promise<void> {
    const found = await this.notifications.existsBy({ id, userId });
    if (!found) throw AppError.notFound('NOTIFICATION_NOT_FOUND', 'Notification not found');
    await this.notifications.update({ id, userId, readAt: IsNull() }, { readAt: this.clock.now() });
  }
}
