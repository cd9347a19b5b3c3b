import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CompaniesController } from './companies.controller';
import { CompaniesPersonalData } from './companies-personal-data';
import { CompaniesService } from './companies.service';
import { CompanyAffiliation } from './entities/company-affiliation.entity';
import { Company } from './entities/company.entity';
import { ProfessionalsController } from './professionals.controller';
import { ProfessionalsService } from './professionals.service';
import { VALIDATION_DIGEST_JOB, ValidationDigestService } from './validation-digest.service';
import { ValidationDigestProcessor } from './validation-digest.processor';
import { JobsModule } from '../jobs/jobs.module';
import { AuditModule } from '../audit/audit.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { UsersModule } from '../users/users.module';

/** Companies, and the staff side of professionals: validation queue, decisions, 48-hour digest. */
@Module({
  imports: [
    TypeOrmModule.forFeature([Company, CompanyAffiliation]),
    JobsModule.forFeature(VALIDATION_DIGEST_JOB),
    UsersModule,
    AuditModule,
    NotificationsModule,
  ],
  controllers: [CompaniesController, ProfessionalsController],
  providers: [CompaniesService, ProfessionalsService, ValidationDigestService, ValidationDigestProcessor, CompaniesPersonalData],
  exports: [CompaniesService, ProfessionalsService],
})
export class CompaniesModule {}
