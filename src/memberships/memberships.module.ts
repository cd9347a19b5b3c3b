import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth/auth.module';
import { InstitutesModule } from '../institutes/institutes.module';
import { User } from '../users/entities/user.entity';
import { Membership } from './entities/membership.entity';
import { MembershipsController } from './memberships.controller';
import { MemberValidationService } from './member-validation.service';
import { MembershipsService } from './memberships.service';

@Module({
  imports: [TypeOrmModule.forFeature([Membership, User]), AuthModule, InstitutesModule],
  controllers: [MembershipsController],
  providers: [MembershipsService, MemberValidationService],
  exports: [MembershipsService],
})
export class MembershipsModule {}
