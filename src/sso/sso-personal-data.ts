import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { ErasedPerson, PersonalDataRegistry } from '../common/personal-data';
import { ExternalIdentity } from './entities/external-identity.entity';
import { SsoCode } from './entities/sso-request.entity';

/** A person's links to institutions' identity providers (the IdP's subject): exported; deleted with any pending one-time code on erasure. */
@Injectable()
export class SsoPersonalData implements OnModuleInit {
  constructor(
    private readonly registry: PersonalDataRegistry,
    @InjectRepository(ExternalIdentity) private readonly links: Repository<ExternalIdentity>,
  ) {}

  onModuleInit() {
    this.registry.register({
      section: 'singleSignOn',
      export: async ({ userId }) =>
        (await this.links.find({ where: { userId } })).map((l) => ({
          providerId: l.providerId,
          subject: l.subject,
          lastSignInAt: l.lastSignInAt?.toISOString() ?? null,
        })),
      erase: async (person: ErasedPerson, em: EntityManager) => {
        await em.delete(ExternalIdentity, { userId: person.userId });
        await em.delete(SsoCode, { userId: person.userId });
      },
    });
  }
}
