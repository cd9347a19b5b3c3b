import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { ErasedPerson, PersonalDataRegistry } from '../common/personal-data';
import { ExternalIdentity } from './entities/external-identity.entity';
import { IdentityProvider } from './entities/identity-provider.entity';
import { SsoCode } from './entities/sso-request.entity';

/** A person's links to identity providers: in the export (provider, subject, dates), deleted on erasure with any unspent code. */
@Injectable()
export class SsoPersonalData implements OnModuleInit {
  constructor(
    private readonly registry: PersonalDataRegistry,
    @InjectRepository(ExternalIdentity) private readonly links: Repository<ExternalIdentity>,
  ) {}

  onModuleInit() {
    this.registry.register({
      section: 'identityProviderLinks',
      export: async ({ userId }: ErasedPerson) => {
        const rows = await this.links
          .createQueryBuilder('l')
          .innerJoin(IdentityProvider, 'p', 'p.id = l.providerId')
          .select(['l.subject AS subject', 'l.createdAt AS createdAt', 'l.lastSignInAt AS lastSignInAt', 'p.name AS provider', 'p.protocol AS protocol'])
          .where('l.userId = :userId', { userId })
          .orderBy('l.createdAt', 'ASC')
          .getRawMany<{ subject: string; createdAt: Date | string; lastSignInAt: Date | string | null; provider: string; protocol: string }>();
        return rows.map((r) => ({
          provider: r.provider,
          protocol: r.protocol,
          subject: r.subject,
          linkedAt: new Date(r.createdAt).toISOString(),
          lastSignInAt: r.lastSignInAt ? new Date(r.lastSignInAt).toISOString() : null,
        }));
      },
      erase: async ({ userId }: ErasedPerson, em: EntityManager) => {
        await em.delete(ExternalIdentity, { userId });
        await em.delete(SsoCode, { userId });
      },
    });
  }
}
