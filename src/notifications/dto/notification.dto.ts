import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';
import { PageQueryDto } from '../../common/pagination';
import { Notification } from '../entities/notification.entity';
import { NotificationType } from '../notifications.types';

export class ListNotificationsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'true: unread only' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  unread?: boolean;
}

export class NotificationResponseDto {
  id: string;
  @ApiProperty({ enum: NotificationType }) type: string;
  title: string;
  @ApiProperty({ type: Object, nullable: true }) data: Record<string, unknown> | null;
  createdAt: string;
  @ApiProperty({ nullable: true }) readAt: string | null;

  static from(n: Notification): NotificationResponseDto {
    return {
      id: n.id,
      type: n.type,
      title: n.title,
      data: n.data,
      createdAt: n.createdAt.toISOString(),
      readAt: n.readAt ? n.readAt.toISOString() : null,
    };
  }
}

export class NotificationPageDto {
  items: NotificationResponseDto[];
  nextCursor: string | null;
}
