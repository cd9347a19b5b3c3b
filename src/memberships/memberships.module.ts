import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { InstituteAccess } from '../auth/ports';
import { InstitutesModule } from '../institutes/institutes.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { UsersModule } from '../users/users.module';
import { Membership } from './entities/membership.entity';
import { MembershipAccess } from './membership-access';
import { MembershipsPersonalData } from './memberships-personal-data';
import { MembershipsController } from './memberships.controller';
import { PeopleDirectoryController } from './people-directory.controller';
import { MemberValidationService } from './member-validation.service';
import { MembershipsService } from './memberships.service';
import { MemberDirectoryService } from './member-directory.service';

/** The User <--> Institute relation (the `memberships` table); auth's institute access. */
@Module({
  imports: [TypeOrmModule.forFeature([Membership]), UsersModule, InstitutesModule, AuditModule, NotificationsModule],
  controllers: [MembershipsController, PeopleDirectoryController],
  providers: [
    MembershipsService,
    MemberValidationService,
    MemberDirectoryService,
    MembershipAccess,
    MembershipsPersonalData,
    { provide: InstituteAccess, useExisting: MembershipAccess },
  ],
  exports: [MembershipsService, MemberDirectoryService, InstituteAccess],
})
export class MembershipsModule {}
