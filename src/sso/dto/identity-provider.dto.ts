import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsEnum,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { IdentityProvider, JitPolicy, SsoProtocol } from '../entities/identity-provider.entity';

// Institutions run IdPs on their own networks: loopback, private hosts and plain http are accepted (staff only).
const URL_RULES = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

export class RoleRuleDto {
  /** The claim (OIDC) or attribute (SAML) to read, e.g. `eduPersonAffiliation`. */
  @IsString() @IsNotEmpty() @MaxLength(200) claim: string;
  /** The value that grants the role, e.g. `faculty`. */
  @IsString() @IsNotEmpty() @MaxLength(200) value: string;
  /** `manager` is never granted by an identity provider. */
  @ApiProperty({ enum: ['student', 'teacher'] })
  @IsIn(['student', 'teacher'])
  role: 'student' | 'teacher';
}

export class OidcSettingsDto {
  /** The issuer; its `/.well-known/openid-configuration` is read. */
  @ApiProperty({ example: 'https://login.microsoftonline.com/<tenant>/v2.0' })
  @IsUrl(URL_RULES)
  @MaxLength(500)
  issuer: string;

  @IsString() @IsNotEmpty() @MaxLength(255) clientId: string;

  /** Write-only: stored encrypted, never returned. Omit for a public client (PKCE only). */
  @ApiPropertyOptional({ writeOnly: true })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  clientSecret?: string;

  /** Default `openid email profile`. */
  @ApiPropertyOptional({ type: [String], example: ['openid', 'email', 'profile'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @Matches(/^[\x21-\x7e]{1,100}$/, { each: true })
  scopes?: string[];
}

export class SamlSettingsDto {
  /** Read from `metadataXml` when that is given. */
  @IsOptional() @IsString() @MaxLength(500) idpEntityId?: string;

  /** The IdP's HTTP-Redirect single sign-on URL (read from `metadataXml` when given). */
  @IsOptional() @IsUrl(URL_RULES) @MaxLength(1000) ssoUrl?: string;

  /** The IdP's signing certificates, PEM or bare base64 (read from `metadataXml` when given). */
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsString({ each: true })
  @MaxLength(20000, { each: true })
  certificates?: string[];

  /** The IdP's metadata XML, pasted in: entity id, SSO URL and signing certificates are taken from it. */
  @IsOptional() @IsString() @MaxLength(500000) metadataXml?: string;

  /** Default `urn:oid:0.9.2342.19200300.100.1.3` (mail); the NameID when it is an email. */
  @IsOptional() @IsString() @MaxLength(200) emailAttribute?: string;
  /** Default `urn:oid:2.5.4.42` (givenName). */
  @IsOptional() @IsString() @MaxLength(200) firstNameAttribute?: string;
  /** Default `urn:oid:2.5.4.4` (sn). */
  @IsOptional() @IsString() @MaxLength(200) lastNameAttribute?: string;
}

export class CreateIdentityProviderDto {
  @ApiProperty({ enum: SsoProtocol }) @IsEnum(SsoProtocol) protocol: SsoProtocol;

  @ApiProperty({ example: 'Lycée Ampère (Entra ID)' }) @IsString() @IsNotEmpty() @MaxLength(100) name: string;

  /** Disabled providers sign nobody in (`SSO_PROVIDER_DISABLED`). Default true. */
  @IsOptional() @IsBoolean() enabled?: boolean;

  /** Email domains this provider may vouch for: only their accounts are linked or created. */
  @ApiProperty({ type: [String], example: ['ampere.example.edu'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @Matches(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i, { each: true, message: 'each domain must be a domain name' })
  domains: string[];

  /** The frontends' callback URLs; `redirectUri` must equal one of them exactly. */
  @ApiProperty({ type: [String], example: ['https://ent.example.edu/oktonine/callback'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @IsUrl(URL_RULES, { each: true })
  @MaxLength(2000, { each: true })
  allowedRedirectUris: string[];

  /** `create`: people without an account get one at their first sign-in. Default `off`. */
  @ApiPropertyOptional({ enum: JitPolicy }) @IsOptional() @IsEnum(JitPolicy) jit?: JitPolicy;

  @ApiPropertyOptional({ type: [RoleRuleDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => RoleRuleDto)
  roleMapping?: RoleRuleDto[];

  /** The role of a created person whom no rule matches. Default `student`. */
  @ApiPropertyOptional({ enum: ['student', 'teacher'] }) @IsOptional() @IsIn(['student', 'teacher']) defaultRole?: 'student' | 'teacher';

  @IsOptional() @ValidateNested() @Type(() => OidcSettingsDto) oidc?: OidcSettingsDto;

  @IsOptional() @ValidateNested() @Type(() => SamlSettingsDto) saml?: SamlSettingsDto;
}

/** OIDC settings in a PATCH: the fields given replace the stored ones (e.g. only a new `clientSecret`). */
export class UpdateOidcSettingsDto extends PartialType(OidcSettingsDto) {}

export class UpdateIdentityProviderDto extends PartialType(OmitType(CreateIdentityProviderDto, ['protocol', 'oidc'] as const)) {
  @IsOptional() @ValidateNested() @Type(() => UpdateOidcSettingsDto) oidc?: UpdateOidcSettingsDto;
}

export class OidcSettingsResponseDto {
  issuer: string;
  clientId: string;
  scopes: string[];
  /** Whether a client secret is stored (its value is never returned). */
  hasClientSecret: boolean;
}

export class SamlSettingsResponseDto {
  idpEntityId: string;
  ssoUrl: string;
  certificates: string[];
  @ApiProperty({ nullable: true, type: String }) metadataXml: string | null;
  emailAttribute: string;
  firstNameAttribute: string;
  lastNameAttribute: string;
  /** Our service provider metadata, to give the institution's IT. */
  spMetadataUrl: string;
  spEntityId: string;
  acsUrl: string;
}

export class IdentityProviderDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) instituteId: string;
  @ApiProperty({ enum: SsoProtocol }) protocol: SsoProtocol;
  name: string;
  enabled: boolean;
  domains: string[];
  allowedRedirectUris: string[];
  @ApiProperty({ enum: JitPolicy }) jit: JitPolicy;
  roleMapping: RoleRuleDto[];
  @ApiProperty({ enum: ['student', 'teacher'] }) defaultRole: 'student' | 'teacher';
  oidc?: OidcSettingsResponseDto;
  saml?: SamlSettingsResponseDto;
  /** Where the IdP sends people back (OIDC redirect URI, to register at the IdP). */
  callbackUrl: string;

  static from(p: IdentityProvider, domains: string[], hasSecret: boolean, publicUrl: string): IdentityProviderDto {
    const { settings } = p;
    return {
      id: p.id,
      instituteId: p.instituteId,
      protocol: p.protocol,
      name: p.name,
      enabled: p.enabled,
      domains,
      allowedRedirectUris: settings.allowedRedirectUris,
      jit: settings.jit,
      roleMapping: settings.roleMapping,
      defaultRole: settings.defaultRole,
      ...(settings.oidc ? { oidc: { ...settings.oidc, hasClientSecret: hasSecret } } : {}),
      ...(settings.saml
        ? {
            saml: {
              ...settings.saml,
              spMetadataUrl: `${publicUrl}/api/auth/sso/saml/${p.id}/metadata`,
              spEntityId: spEntityId(publicUrl, p.id),
              acsUrl: `${publicUrl}/api/auth/sso/saml/acs`,
            },
          }
        : {}),
      callbackUrl: p.protocol === SsoProtocol.Oidc ? `${publicUrl}/api/auth/sso/oidc/callback` : `${publicUrl}/api/auth/sso/saml/acs`,
    };
  }
}

/** Our SAML entity id for one provider: its metadata URL (unique per provider, so audiences never mix). */
export function spEntityId(publicUrl: string, providerId: string): string {
  return `${publicUrl}/api/auth/sso/saml/${providerId}/metadata`;
}
