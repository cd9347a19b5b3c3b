import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth/auth.module';
import { Membership } from '../memberships/entities/membership.entity';
import { User } from './entities/user.entity';
import { UserAccountsService } from './user-accounts.service';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Global()
@Module({
  imports: [TypeOrmModule.forFeature([User, Membership]), AuthModule],
  controllers: [UsersController],
  providers: [UsersService, UserAccountsService],
  exports: [UsersService, UserAccountsService, TypeOrmModule],
})
export class UsersModule {}
