import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { CompaniesModule } from '../companies/companies.module';
import { InstitutesModule } from '../institutes/institutes.module';
import { JobsModule } from '../jobs/jobs.module';
import { MembershipsModule } from '../memberships/memberships.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { UsersModule } from '../users/users.module';
import { InstituteRequest } from './entities/institute-request.entity';
import { RegistrationRequest } from './entities/registration-request.entity';
import { InstituteRequestsController } from './institute-requests.controller';
import { InstituteRequestsService } from './institute-requests.service';
import { OnboardingPersonalData } from './onboarding-personal-data';
import { RegistrationController } from './registration.controller';
import { RegistrationProcessor } from './registration.processor';
import { REGISTRATION_JOB, RegistrationService } from './registration.service';

/**
 * Self-registration of teachers and professionals: it orchestrates the public
 * services of users, institutes, memberships, companies and notifications, and
 * owns only its `registration_requests`.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([RegistrationRequest, InstituteRequest]),
    JobsModule.forFeature(REGISTRATION_JOB),
    UsersModule,
    InstitutesModule,
    MembershipsModule,
    CompaniesModule,
    NotificationsModule,
    AuditModule,
  ],
  controllers: [RegistrationController, InstituteRequestsController],
  providers: [RegistrationService, RegistrationProcessor, OnboardingPersonalData, InstituteRequestsService],
})
export class OnboardingModule {}
