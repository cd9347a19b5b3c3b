import { Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { MulterModule } from '@nestjs/platform-express';
import { TypeOrmModule } from '@nestjs/typeorm';
import { memoryStorage } from 'multer';
import { AuditModule } from '../audit/audit.module';
import { InstitutesModule } from '../institutes/institutes.module';
import { MembershipsModule } from '../memberships/memberships.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { UsersModule } from '../users/users.module';
import { importsConfig } from '../config/configuration';
import { ImportBatch } from './entities/import-batch.entity';
import { ImportChunk } from './entities/import-chunk.entity';
import { ImportJobsService } from './import-jobs.service';
import { ImportsController } from './imports.controller';
import { IMPORT_CHUNK_JOB, IMPORT_RETENTION_JOB, IMPORT_WELCOME_JOB } from './imports.constants';
import { ImportRetentionProcessor, ImportRetentionService } from './import-retention.service';
import { ImportChunkProcessor, ImportWelcomeProcessor } from './imports.processors';
import { JobsModule } from '../jobs/jobs.module';
import { ImportMetrics } from './import-metrics';
import { ImportsPersonalData } from './imports-personal-data';
import { ImportsService } from './imports.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([ImportBatch, ImportChunk]),
    UsersModule,
    MembershipsModule,
    InstitutesModule,
    NotificationsModule,
    AuditModule,
    JobsModule.forFeature(IMPORT_CHUNK_JOB, IMPORT_WELCOME_JOB, IMPORT_RETENTION_JOB),
    MulterModule.registerAsync({
      inject: [importsConfig.KEY],
      // In memory, never on local disk; the size limit applies while the body streams in (413).
      useFactory: (config: ConfigType<typeof importsConfig>) => ({
        storage: memoryStorage(),
        limits: { fileSize: config.maxBytes, files: 1, fields: 10, parts: 20 },
      }),
    }),
  ],
  controllers: [ImportsController],
  providers: [
    ImportsService,
    ImportJobsService,
    ImportMetrics,
    ImportChunkProcessor,
    ImportWelcomeProcessor,
    ImportsPersonalData,
    ImportRetentionService,
    ImportRetentionProcessor,
  ],
})
export class ImportsModule {}
