import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { ErasedPerson, PersonalDataRegistry } from '../common/personal-data';
import { JobQueue } from '../jobs/job-queue';
import { ACCOUNT_EMAIL_JOB } from './auth.constants';
import { OneTimeToken } from './entities/one-time-token.entity';
import { RefreshToken } from './entities/refresh-token.entity';

/** Sessions and one-time links of a person: listed in the export (never the hashes), deleted on erasure. */
@Injectable()
export class AuthPersonalData implements OnModuleInit {
  constructor(
    private readonly registry: PersonalDataRegistry,
    private readonly jobs: JobQueue,
    @InjectRepository(RefreshToken) private readonly refreshTokens: Repository<RefreshToken>,
  ) {}

  onModuleInit() {
    this.registry.register({
      section: 'sessions',
      export: async ({ userId }) =>
        (await this.refreshTokens.find({ where: { userId }, order: { createdAt: 'ASC' } })).map((r) => ({
          createdAt: r.createdAt.toISOString(),
          expiresAt: r.expiresAt.toISOString(),
          usedAt: r.usedAt?.toISOString() ?? null,
          revokedAt: r.revokedAt?.toISOString() ?? null,
        })),
      erase: async (person: ErasedPerson, em: EntityManager) => {
        await em.delete(RefreshToken, { userId: person.userId });
        await em.delete(OneTimeToken, { userId: person.userId });
      },
      afterErase: async (person: ErasedPerson) => {
        await this.jobs.purge(ACCOUNT_EMAIL_JOB, (data) => data.userId === person.userId);
      },
    });
  }
}
