import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { ErasedPerson, PersonalDataRegistry } from '../common/personal-data';
import { Membership, MembershipRole, MembershipStatus } from './entities/membership.entity';
import { MembershipsService } from './memberships.service';

/**
 * A person's memberships (with the directory's external id, group, department):
 * exported; deleted on erasure, which the last active manager of an institute
 * cannot undergo (LAST_MANAGER).
 */
@Injectable()
export class MembershipsPersonalData implements OnModuleInit {
  constructor(
    private readonly registry: PersonalDataRegistry,
    private readonly memberships: MembershipsService,
    @InjectRepository(Membership) private readonly rows: Repository<Membership>,
  ) {}

  onModuleInit() {
    this.registry.register({
      section: 'memberships',
      export: async ({ userId }) =>
        (await this.rows.find({ where: { userId }, relations: { institute: true }, order: { createdAt: 'ASC' } })).map((m) => ({
          institute: { id: m.instituteId, name: m.institute!.name },
          role: m.role,
          status: m.status,
          group: m.group,
          department: m.department,
          externalId: m.externalId,
          rejectionReason: m.rejectionReason,
          createdAt: m.createdAt.toISOString(),
          validatedAt: m.validatedAt?.toISOString() ?? null,
        })),
      assertErasable: async (userId: string, em: EntityManager) => {
        const managing = await em.findBy(Membership, { userId, role: MembershipRole.Manager, status: MembershipStatus.Active });
        for (const m of managing.sort((a, b) => a.instituteId.localeCompare(b.instituteId))) {
          await this.memberships.lockInstitute(em, m.instituteId);
          await this.memberships.assertAnotherManager(em, m.instituteId, userId);
        }
      },
      erase: async (person: ErasedPerson, em: EntityManager) => {
        await em.delete(Membership, { userId: person.userId });
      },
    });
  }
}
