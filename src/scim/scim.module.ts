import { DynamicModule, Module, ModuleMetadata } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { InstitutesModule } from '../institutes/institutes.module';
import { MembershipsModule } from '../memberships/memberships.module';
import { UsersModule } from '../users/users.module';
import { ScimGroup } from './entities/scim-group.entity';
import { ScimToken } from './entities/scim-token.entity';
import { ScimAuthGuard } from './scim-auth.guard';
import { ScimDiscoveryController } from './scim-discovery.controller';
import { ScimGroupsController } from './scim-groups.controller';
import { ScimGroupsService } from './scim-groups.service';
import { ScimTokensController } from './scim-tokens.controller';
import { ScimTokensService } from './scim-tokens.service';
import { ScimUsersController } from './scim-users.controller';
import { ScimUsersService } from './scim-users.service';

/**
 * SCIM 2.0 provisioning: an institute's directory (Entra ID, Okta…) creates,
 * updates, suspends and removes its members and classes under `/scim/v2` with
 * a token the institute's managers create. It orchestrates the public services
 * of users, institutes and memberships and owns only its tokens and groups.
 */
@Module({})
export class ScimModule {
  /** `imports`: the module providing `InstituteSignIn` (auth/ports.ts), i.e. SSO's, bound by AppModule. */
  static forRoot(options: { imports: NonNullable<ModuleMetadata['imports']> }): DynamicModule {
    return {
      module: ScimModule,
      imports: [TypeOrmModule.forFeature([ScimToken, ScimGroup]), UsersModule, InstitutesModule, MembershipsModule, AuditModule, ...options.imports],
      controllers: [ScimTokensController, ScimDiscoveryController, ScimUsersController, ScimGroupsController],
      providers: [ScimTokensService, ScimUsersService, ScimGroupsService, ScimAuthGuard],
    };
  }
}
