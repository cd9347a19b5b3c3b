import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule } from '@bull-board/nestjs';
import { DynamicModule, Inject, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { AuditModule } from '../../audit/audit.module';
import { UsersModule } from '../../users/users.module';
import { DashboardAccess, DASHBOARD_PATH } from './dashboard-access.service';
import { DashboardSignInController, InProcessQueuesController } from './dashboard-pages.controller';
import { DashboardSessionController } from './dashboard-session.controller';
import { QueueBoard } from './queue-board';

/** Who may enter the dashboard: shared by the Bull Board's module and the in-process page. */
@Module({
  imports: [UsersModule, AuditModule],
  providers: [DashboardAccess],
  exports: [DashboardAccess],
})
class DashboardAccessModule {}

/** Without Redis: the same door in front of a page saying jobs run in-process. */
@Module({ imports: [DashboardAccessModule], controllers: [InProcessQueuesController] })
class InProcessDashboardModule implements NestModule {
  constructor(@Inject(DashboardAccess) private readonly access: DashboardAccess) {}

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(this.access.middleware()).forRoutes(DASHBOARD_PATH.slice(1));
  }
}

/**
 * The queue dashboard at /admin/queues: Bull Board over the JobsModule's queues
 * with Redis, a page saying jobs run in-process without. Staff only, through the
 * session cookie of DashboardAccess.
 */
@Module({})
export class DashboardModule {
  static forRoot(redis: boolean): DynamicModule {
    const board = redis
      ? [
          BullBoardModule.forRootAsync({
            imports: [DashboardAccessModule],
            inject: [DashboardAccess],
            useFactory: (access: DashboardAccess) => ({
              route: DASHBOARD_PATH,
              adapter: ExpressAdapter,
              middleware: access.middleware(),
              boardOptions: { uiConfig: { boardTitle: 'Oktonine queues' } },
            }),
          }),
        ]
      : [InProcessDashboardModule];
    return {
      module: DashboardModule,
      imports: [DashboardAccessModule, ...board],
      controllers: [DashboardSessionController, DashboardSignInController],
      providers: redis ? [QueueBoard] : [],
    };
  }
}
