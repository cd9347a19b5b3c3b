import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { X509Certificate } from 'node:crypto';
import { EntityManager, Repository } from 'typeorm';
import { AuthUser } from '../auth/auth.types';
import { AuditService } from '../audit/audit.service';
import { AppError } from '../common/errors/app-error';
import { Transactions } from '../common/transactions';
import { ssoConfig } from '../config/configuration';
import { InstitutesService } from '../institutes/institutes.service';
import { CreateIdentityProviderDto, IdentityProviderDto, UpdateIdentityProviderDto } from './dto/identity-provider.dto';
import { IdentityProvider, IdentityProviderDomain, JitPolicy, ProviderSettings, SsoProtocol } from './entities/identity-provider.entity';
import { readIdpMetadata, toPem } from './saml-metadata';
import { SecretBox } from './secret-box';

export const providerNotFound = () => AppError.notFound('IDENTITY_PROVIDER_NOT_FOUND', 'No such identity provider');

const DEFAULT_SCOPES = ['openid', 'email', 'profile'];

/** An institute's identity providers: staff write them; the institute's managers read them, never the secret. */
@Injectable()
export class IdentityProvidersService {
  private readonly box: SecretBox | null;

  constructor(
    @InjectRepository(IdentityProvider) private readonly providers: Repository<IdentityProvider>,
    private readonly tx: Transactions,
    private readonly audit: AuditService,
    private readonly institutes: InstitutesService,
    @Inject(ssoConfig.KEY) private readonly config: ConfigType<typeof ssoConfig>,
  ) {
    this.box = config.secretKey ? new SecretBox(config.secretKey) : null;
  }

  async list(instituteId: string): Promise<IdentityProviderDto[]> {
    await this.institutes.get(instituteId);
    const rows = await this.providers.find({ where: { instituteId }, order: { createdAt: 'ASC' } });
    return Promise.all(rows.map((p) => this.render(p)));
  }

  async get(instituteId: string, id: string): Promise<IdentityProviderDto> {
    return this.render(await this.find(instituteId, id));
  }

  async create(instituteId: string, dto: CreateIdentityProviderDto, actor: AuthUser, ip: string | null): Promise<IdentityProviderDto> {
    await this.institutes.get(instituteId);
    const settings = this.settings(dto.protocol, dto, null);
    const encryptedSecret = dto.protocol === SsoProtocol.Oidc && dto.oidc?.clientSecret ? this.seal(dto.oidc.clientSecret) : null;
    const provider = this.providers.create({ instituteId, name: dto.name, protocol: dto.protocol, enabled: dto.enabled ?? true, settings, encryptedSecret });
    await this.tx.run(async (em) => {
      await em.save(provider);
      await this.saveDomains(em, provider.id, dto.domains);
      await this.audit.record(
        {
          action: 'sso.provider.created',
          actorId: actor.id,
          targetType: 'identity_provider',
          targetId: provider.id,
          instituteId,
          ip,
          details: { protocol: dto.protocol },
        },
        em,
      );
    });
    return this.get(instituteId, provider.id);
  }

  async update(instituteId: string, id: string, dto: UpdateIdentityProviderDto, actor: AuthUser, ip: string | null): Promise<IdentityProviderDto> {
    const provider = await this.find(instituteId, id);
    const settings = this.settings(provider.protocol, dto, provider.settings);
    const secret = dto.oidc?.clientSecret;
    await this.tx.run(async (em) => {
      await em.update(
        IdentityProvider,
        { id },
        {
          name: dto.name ?? provider.name,
          enabled: dto.enabled ?? provider.enabled,
          settings,
          ...(secret !== undefined ? { encryptedSecret: secret ? this.seal(secret) : null } : {}),
        },
      );
      if (dto.domains) await this.saveDomains(em, id, dto.domains);
      await this.audit.record(
        {
          action: 'sso.provider.updated',
          actorId: actor.id,
          targetType: 'identity_provider',
          targetId: id,
          instituteId,
          ip,
          details: { fields: Object.keys(dto) },
        },
        em,
      );
    });
    return this.get(instituteId, id);
  }

  async remove(instituteId: string, id: string, actor: AuthUser, ip: string | null): Promise<void> {
    await this.find(instituteId, id);
    await this.tx.run(async (em) => {
      // Links, requests and codes go with it (foreign keys cascade).
      await em.delete(IdentityProvider, { id });
      await this.audit.record({ action: 'sso.provider.deleted', actorId: actor.id, targetType: 'identity_provider', targetId: id, instituteId, ip }, em);
    });
  }

  /** A provider by id, with its client secret decrypted (sign-in only). */
  async forSignIn(id: string): Promise<{ provider: IdentityProvider; domains: string[]; clientSecret: string | null } | null> {
    const provider = await this.providers.createQueryBuilder('p').addSelect('p.encryptedSecret').where('p.id = :id', { id }).getOne();
    if (!provider) return null;
    const clientSecret = provider.encryptedSecret ? this.open(provider.encryptedSecret) : null;
    return { provider, domains: await this.domains(provider.id), clientSecret };
  }

  /** Enabled providers vouching for an email's domain (home-realm discovery). */
  async forDomain(domain: string): Promise<IdentityProvider[]> {
    return this.providers
      .createQueryBuilder('p')
      .innerJoin(IdentityProviderDomain, 'd', 'd.providerId = p.id')
      .where('d.domain = :domain AND p.enabled = :enabled', { domain: domain.toLowerCase(), enabled: true })
      .orderBy('p.name')
      .getMany();
  }

  async instituteHasEnabledProvider(instituteId: string): Promise<boolean> {
    return this.providers.exists({ where: { instituteId, enabled: true } });
  }

  private async find(instituteId: string, id: string): Promise<IdentityProvider> {
    const provider = /^[0-9a-f-]{36}$/i.test(id) ? await this.providers.findOneBy({ id, instituteId }) : null;
    if (!provider) throw providerNotFound();
    return provider;
  }

  private async render(p: IdentityProvider): Promise<IdentityProviderDto> {
    const withSecret = await this.providers.createQueryBuilder('p').addSelect('p.encryptedSecret').where('p.id = :id', { id: p.id }).getOne();
    return IdentityProviderDto.from(p, await this.domains(p.id), Boolean(withSecret?.encryptedSecret), this.config.publicUrl);
  }

  private async domains(providerId: string): Promise<string[]> {
    const rows = await this.providers.manager.find(IdentityProviderDomain, { where: { providerId }, order: { domain: 'ASC' } });
    return rows.map((r) => r.domain);
  }

  private async saveDomains(em: EntityManager, providerId: string, domains: string[]): Promise<void> {
    const wanted = [...new Set(domains.map((d) => d.trim().toLowerCase()))];
    await em.delete(IdentityProviderDomain, { providerId });
    if (wanted.length)
      await em.insert(
        IdentityProviderDomain,
        wanted.map((domain) => ({ providerId, domain })),
      );
  }

  private settings(protocol: SsoProtocol, dto: UpdateIdentityProviderDto, current: ProviderSettings | null): ProviderSettings {
    const base: ProviderSettings = {
      allowedRedirectUris: dto.allowedRedirectUris ?? current?.allowedRedirectUris ?? [],
      jit: dto.jit ?? current?.jit ?? JitPolicy.Off,
      roleMapping: (dto.roleMapping ?? current?.roleMapping ?? []).map(({ claim, value, role }) => ({ claim, value, role })),
      defaultRole: dto.defaultRole ?? current?.defaultRole ?? 'student',
    };
    if (protocol === SsoProtocol.Oidc) {
      if (dto.saml) throw AppError.validation([{ field: 'saml', message: 'saml settings are for a saml provider' }]);
      // A PATCH may give only some fields (e.g. a new clientSecret): the others are kept.
      const oidc = {
        issuer: dto.oidc?.issuer ?? current?.oidc?.issuer,
        clientId: dto.oidc?.clientId ?? current?.oidc?.clientId,
        scopes: dto.oidc?.scopes ?? current?.oidc?.scopes,
      };
      if (!oidc.issuer || !oidc.clientId) {
        throw AppError.validation([{ field: 'oidc', message: 'oidc.issuer and oidc.clientId are required for an oidc provider' }]);
      }
      return {
        ...base,
        oidc: { issuer: oidc.issuer.replace(/\/+$/, ''), clientId: oidc.clientId, scopes: oidc.scopes?.length ? oidc.scopes : DEFAULT_SCOPES },
      };
    }
    if (dto.oidc) throw AppError.validation([{ field: 'oidc', message: 'oidc settings are for an oidc provider' }]);
    const given = dto.saml;
    if (!given && current?.saml) return { ...base, saml: current.saml };
    if (!given) throw AppError.validation([{ field: 'saml', message: 'saml settings are required for a saml provider' }]);
    let { idpEntityId, ssoUrl, certificates } = { ...current?.saml, ...given };
    if (given.metadataXml) {
      const metadata = readIdpMetadata(given.metadataXml);
      if (!metadata) {
        throw AppError.validation([
          { field: 'saml.metadataXml', message: 'metadataXml must be IdP metadata with an HTTP-Redirect SingleSignOnService and a signing certificate' },
        ]);
      }
      idpEntityId = given.idpEntityId ?? metadata.entityId;
      ssoUrl = given.ssoUrl ?? metadata.ssoUrl;
      certificates = given.certificates ?? metadata.certificates;
    }
    if (!idpEntityId || !ssoUrl || !certificates?.length) {
      throw AppError.validation([{ field: 'saml', message: 'saml needs idpEntityId, ssoUrl and certificates, or metadataXml' }]);
    }
    const pems = certificates.map((c, i) => {
      const pem = toPem(c);
      try {
        new X509Certificate(pem);
      } catch {
        throw AppError.validation([{ field: `saml.certificates[${i}]`, message: 'must be an X.509 certificate (PEM or base64)' }]);
      }
      return pem;
    });
    return {
      ...base,
      saml: {
        idpEntityId,
        ssoUrl,
        certificates: pems,
        metadataXml: given.metadataXml ?? current?.saml?.metadataXml ?? null,
        emailAttribute: given.emailAttribute ?? current?.saml?.emailAttribute ?? 'urn:oid:0.9.2342.19200300.100.1.3',
        firstNameAttribute: given.firstNameAttribute ?? current?.saml?.firstNameAttribute ?? 'urn:oid:2.5.4.42',
        lastNameAttribute: given.lastNameAttribute ?? current?.saml?.lastNameAttribute ?? 'urn:oid:2.5.4.4',
      },
    };
  }

  private seal(secret: string): string {
    if (!this.box) throw new AppError(503, 'SSO_NOT_CONFIGURED', 'Set SSO_SECRET_KEY to store identity providers’ client secrets');
    return this.box.seal(secret);
  }

  private open(sealed: string): string {
    if (!this.box) throw new AppError(503, 'SSO_NOT_CONFIGURED', 'Set SSO_SECRET_KEY to read identity providers’ client secrets');
    return this.box.open(sealed);
  }
}
