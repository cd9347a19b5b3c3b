import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { AccountStore } from '../auth/ports';
import { UserNameWord } from './entities/user-name-word.entity';
import { User } from './entities/user.entity';
import { AdminUsersController } from './admin-users.controller';
import { MeController } from './me.controller';
import { PersonalDataService } from './personal-data.service';
import { StaffService } from './staff.service';
import { UserAccountsService } from './user-accounts.service';
import { UserProfiles } from './user-profiles';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

/** Accounts (the `users` table), "Create a user", staff accounts, /api/me. Auth's account store. */
@Module({
  imports: [TypeOrmModule.forFeature([User, UserNameWord]), AuditModule],
  controllers: [UsersController, MeController, AdminUsersController],
  providers: [PersonalDataService, UsersService, { provide: AccountStore, useExisting: UsersService }, UserAccountsService, StaffService, UserProfiles],
  exports: [UsersService, AccountStore, UserAccountsService, StaffService, UserProfiles],
})
export class UsersModule {}
