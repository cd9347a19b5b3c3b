import { DynamicModule, Module, Type } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { EnvConfig } from '../config/env';
import { MembershipsModule } from '../memberships/memberships.module';
import { UsersModule } from '../users/users.module';
import { AuditController } from './audit.controller';
import { DashboardModule } from './dashboard/dashboard.module';
import { InstituteMailController, MailAdminController } from './mail/mail-admin.controller';
import { HttpMetrics } from './metrics/http-metrics';
import { MetricsController } from './metrics/metrics.controller';
import { QueueMetrics } from './metrics/queue-metrics';
import { WorkerMetricsServer } from './metrics/worker-metrics-server';
import { AssetsController } from './pages/assets.controller';
import { DevMailController } from './pages/dev-mail.controller';
import { devMailEnabled, devPagesEnabled } from './pages/dev-pages';
import { DevPagesController } from './pages/dev-pages.controller';

/**
 * Tools for platform staff and operators: the audit log, the mail log, the queue
 * dashboard, Prometheus metrics, and the pages development needs in a browser.
 * Routes that exist only in some configurations are registered only there, so
 * elsewhere they are plain 404s: `/metrics` with METRICS_TOKEN, the development
 * pages outside production (see pages/dev-pages.ts).
 */
@Module({})
export class OpsModule {
  static forRoot(env: EnvConfig): DynamicModule {
    const controllers: Type[] = [AuditController, MailAdminController, InstituteMailController, AssetsController];
    if (env.metricsToken) controllers.push(MetricsController);
    if (devPagesEnabled(env)) controllers.push(DevPagesController);
    if (devMailEnabled(env)) controllers.push(DevMailController);
    return {
      module: OpsModule,
      imports: [AuditModule, UsersModule, MembershipsModule, DashboardModule.forRoot(Boolean(env.redisUrl))],
      controllers,
      providers: [HttpMetrics, QueueMetrics, WorkerMetricsServer],
      exports: [HttpMetrics, WorkerMetricsServer],
    };
  }
}
