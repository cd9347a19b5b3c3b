import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { InstituteSignIn } from '../auth/ports';
import { InstitutesModule } from '../institutes/institutes.module';
import { MembershipsModule } from '../memberships/memberships.module';
import { UsersModule } from '../users/users.module';
import { ExternalIdentity } from './entities/external-identity.entity';
import { IdentityProvider, IdentityProviderDomain } from './entities/identity-provider.entity';
import { SamlSeenAssertion, SsoCode, SsoRequest } from './entities/sso-request.entity';
import { IdentityProvidersController } from './identity-providers.controller';
import { IdentityProvidersService } from './identity-providers.service';
import { OidcService } from './oidc.service';
import { SamlService } from './saml.service';
import { SsoAccountsService } from './sso-accounts.service';
import { SsoInstituteSignIn } from './sso-institute-sign-in';
import { SsoPersonalData } from './sso-personal-data';
import { SsoStateService } from './sso-state.service';
import { SsoController } from './sso.controller';
import { SsoService } from './sso.service';

/**
 * Institutional single sign-on: each institute's OIDC or SAML identity
 * providers, the browser flow for SSO frontends, account links and
 * just-in-time accounts. It orchestrates users, memberships and institutes and
 * tells provisioning (InstituteSignIn) which institutes sign in through an IdP.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([IdentityProvider, IdentityProviderDomain, ExternalIdentity, SsoRequest, SsoCode, SamlSeenAssertion]),
    UsersModule,
    InstitutesModule,
    MembershipsModule,
    AuditModule,
  ],
  controllers: [IdentityProvidersController, SsoController],
  providers: [
    IdentityProvidersService,
    SsoService,
    SsoStateService,
    SsoAccountsService,
    OidcService,
    SamlService,
    SsoPersonalData,
    { provide: InstituteSignIn, useClass: SsoInstituteSignIn },
  ],
  exports: [InstituteSignIn],
})
export class SsoModule {}
