import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { ErasedPerson, PersonalDataRegistry } from '../common/personal-data';
import { CompanyAffiliation } from './entities/company-affiliation.entity';

/** A professional's company affiliation: exported, deleted on erasure (the company itself is not personal data). */
@Injectable()
export class CompaniesPersonalData implements OnModuleInit {
  constructor(
    private readonly registry: PersonalDataRegistry,
    @InjectRepository(CompanyAffiliation) private readonly affiliations: Repository<CompanyAffiliation>,
  ) {}

  onModuleInit() {
    this.registry.register({
      section: 'affiliation',
      export: async ({ userId }) => {
        const a = await this.affiliations.findOne({ where: { userId }, relations: { company: true } });
        if (!a) return null;
        return {
          company: { id: a.companyId, name: a.company!.name },
          status: a.status,
          submittedAt: a.submittedAt.toISOString(),
          decidedAt: a.decidedAt?.toISOString() ?? null,
          reason: a.reason,
        };
      },
      erase: async (person: ErasedPerson, em: EntityManager) => {
        await em.delete(CompanyAffiliation, { userId: person.userId });
      },
    });
  }
}
