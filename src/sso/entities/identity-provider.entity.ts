import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../../common/entities/base.entity';

export enum SsoProtocol {
  Oidc = 'oidc',
  Saml = 'saml',
}

export enum JitPolicy {
  Off = 'off',
  Create = 'create',
}

export interface RoleRule {
  claim: string;
  value: string;
  role: 'student' | 'teacher';
}

export interface OidcSettings {
  issuer: string;
  clientId: string;
  scopes: string[];
}

export interface SamlSettings {
  idpEntityId: string;
  ssoUrl: string;
  certificates: string[];
  metadataXml: string | null;
  emailAttribute: string;
  firstNameAttribute: string;
  lastNameAttribute: string;
}

/** Everything but the secret and the domains, kept as one JSON document. */
export interface ProviderSettings {
  allowedRedirectUris: string[];
  jit: JitPolicy;
  roleMapping: RoleRule[];
  defaultRole: 'student' | 'teacher';
  oidc?: OidcSettings;
  saml?: SamlSettings;
}

/** An institute's identity provider. The OIDC client secret is stored encrypted (SSO_SECRET_KEY). */
@Entity('identity_providers')
@Index('IDX_identity_providers_institute', ['instituteId'])
export class IdentityProvider extends BaseEntity {
  @Column({ type: 'varchar', length: 36 })
  instituteId: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'varchar', length: 8 })
  protocol: SsoProtocol;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  @Column({ type: 'simple-json' })
  settings: ProviderSettings;

  @Column({ type: 'text', nullable: true, select: false })
  encryptedSecret: string | null;
}

/** An email domain a provider may vouch for (set by staff). */
@Entity('identity_provider_domains')
@Index('IDX_identity_provider_domains_domain', ['domain'])
export class IdentityProviderDomain {
  @Column({ type: 'varchar', length: 36, primary: true })
  providerId: string;

  @Column({ type: 'varchar', length: 253, primary: true })
  domain: string;
}
