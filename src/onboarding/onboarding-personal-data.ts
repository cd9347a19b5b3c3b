import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { ErasedPerson, PersonalDataRegistry } from '../common/personal-data';
import { JobQueue } from '../jobs/job-queue';
import { normalizeEmail } from '../users/email';
import { InstituteRequest } from './entities/institute-request.entity';
import { RegistrationRequest } from './entities/registration-request.entity';
import { REGISTRATION_JOB } from './registration.service';

/** Registration requests made with a person's address: exported (never the password hash), deleted on erasure with their queued jobs. */
@Injectable()
export class OnboardingPersonalData implements OnModuleInit {
  private readonly dropped = new Map<string, string[]>();

  constructor(
    private readonly registry: PersonalDataRegistry,
    private readonly jobs: JobQueue,
    @InjectRepository(RegistrationRequest) private readonly requests: Repository<RegistrationRequest>,
    @InjectRepository(InstituteRequest) private readonly instituteRequests: Repository<InstituteRequest>,
  ) {}

  onModuleInit() {
    this.registry.register({
      section: 'registrationRequests',
      export: async (person: ErasedPerson) =>
        (await this.requests.find({ where: { email: normalizeEmail(person.email) }, order: { createdAt: 'ASC' } })).map((r) => ({
          kind: r.kind,
          email: r.email,
          firstName: r.firstName,
          lastName: r.lastName,
          instituteId: r.instituteId,
          companyId: r.companyId,
          companyName: r.companyName,
          ip: r.ip,
          createdAt: r.createdAt.toISOString(),
        })),
      erase: async (person: ErasedPerson, em: EntityManager) => {
        const rows = await em.find(RegistrationRequest, { select: { id: true }, where: { email: normalizeEmail(person.email) } });
        this.dropped.set(
          person.userId,
          rows.map((r) => r.id),
        );
        if (rows.length)
          await em.delete(
            RegistrationRequest,
            rows.map((r) => r.id),
          );
      },
      afterErase: async (person: ErasedPerson) => {
        const ids = new Set(this.dropped.get(person.userId) ?? []);
        this.dropped.delete(person.userId);
        if (ids.size) await this.jobs.purge(REGISTRATION_JOB, (data) => ids.has(data.requestId));
      },
    });
    this.registry.register({
      section: 'instituteRequests',
      export: async ({ userId }) =>
        (await this.instituteRequests.find({ where: { requesterId: userId }, order: { createdAt: 'ASC' } })).map((r) => ({
          name: r.name,
          city: r.city,
          country: r.country,
          status: r.status,
          instituteId: r.instituteId,
          reason: r.reason,
          createdAt: r.createdAt.toISOString(),
          decidedAt: r.decidedAt?.toISOString() ?? null,
        })),
      erase: async (person: ErasedPerson, em: EntityManager) => {
        await em.delete(InstituteRequest, { requesterId: person.userId });
      },
    });
  }
}
