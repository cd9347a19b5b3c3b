import { AuditEntry } from '../audit/entities/audit-entry.entity';
import { OneTimeToken } from '../auth/entities/one-time-token.entity';
import { RefreshToken } from '../auth/entities/refresh-token.entity';
import { InstituteRequest } from '../onboarding/entities/institute-request.entity';
import { RegistrationRequest } from '../onboarding/entities/registration-request.entity';
import { CompanyAffiliation } from '../companies/entities/company-affiliation.entity';
import { Company } from '../companies/entities/company.entity';
import { ImportBatch } from '../imports/entities/import-batch.entity';
import { ImportChunk } from '../imports/entities/import-chunk.entity';
import { MailLogEntry } from '../mail/entities/mail-log-entry.entity';
import { Institute } from '../institutes/entities/institute.entity';
import { InstituteNameWord } from '../institutes/entities/institute-name-word.entity';
import { Membership } from '../memberships/entities/membership.entity';
import { Notification } from '../notifications/entities/notification.entity';
import { ScimGroup } from '../scim/entities/scim-group.entity';
import { ScimToken } from '../scim/entities/scim-token.entity';
import { ExternalIdentity } from '../sso/entities/external-identity.entity';
import { IdentityProvider, IdentityProviderDomain } from '../sso/entities/identity-provider.entity';
import { SamlSeenAssertion, SsoCode, SsoRequest } from '../sso/entities/sso-request.entity';
import { UserNameWord } from '../users/entities/user-name-word.entity';
import { User } from '../users/entities/user.entity';

export const entities = [
  User,
  UserNameWord,
  Institute,
  InstituteNameWord,
  Company,
  CompanyAffiliation,
  Membership,
  OneTimeToken,
  RefreshToken,
  Notification,
  AuditEntry,
  ImportBatch,
  ImportChunk,
  MailLogEntry,
  RegistrationRequest,
  InstituteRequest,
  ScimToken,
  ScimGroup,
  IdentityProvider,
  IdentityProviderDomain,
  ExternalIdentity,
  SsoRequest,
  SsoCode,
  SamlSeenAssertion,
];
