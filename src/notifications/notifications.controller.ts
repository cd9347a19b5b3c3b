import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../auth/auth.types';
import { Auth } from '../auth/decorators/auth.decorator';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import { AppError } from '../common/errors/app-error';
import { ListNotificationsQueryDto, NotificationPageDto } from './dto/notification.dto';
import { NotificationsService } from './notifications.service';

const idPipe = new ParseUUIDPipe({ exceptionFactory: () => AppError.notFound('NOTIFICATION_NOT_FOUND', 'Notification not found') });

@ApiTags('notifications')
@Controller('notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @Auth()
  @ApiOperation({ operationId: 'listNotifications', summary: 'The caller’s in-app notifications, newest first' })
  @ApiOkResponse({ type: NotificationPageDto })
  list(@CurrentUser() user: AuthUser, @Query() query: ListNotificationsQueryDto) {
    return this.notifications.list(user.id, query);
  }

  @Post(':notificationId/read')
  @HttpCode(204)
  @Auth()
  @ApiErrors('NOTIFICATION_NOT_FOUND')
  @ApiOperation({ operationId: 'markNotificationRead', summary: 'Mark one of the caller’s notifications as read' })
  @ApiNoContentResponse()
  async read(@CurrentUser() user: AuthUser, @Param('notificationId', idPipe) id: string) {
    await this.notifications.markRead(user.id, id);
  }
}
