import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { InstituteAccess, InstituteMembership } from '../auth/ports';
import { MembershipRole, MembershipStatus } from '../auth/roles';
import { Institute } from '../institutes/entities/institute.entity';
import { Membership } from './entities/membership.entity';

/** Auth's view of memberships: the reads behind `@Auth({ institute })` and "who may see a user". */
@Injectable()
export class MembershipAccess implements InstituteAccess {
  constructor(@InjectRepository(Membership) private readonly memberships: Repository<Membership>) {}

  membership(userId: string, instituteId: string): Promise<InstituteMembership | null> {
    return this.memberships.findOne({ select: { role: true, status: true }, where: { userId, instituteId } });
  }

  hasActiveRole(userId: string, roles: MembershipRole[]): Promise<boolean> {
    return this.memberships.existsBy({ userId, status: MembershipStatus.Active, role: In(roles) });
  }

  sharesInstitute(callerId: string, userId: string, roles: MembershipRole[]): Promise<boolean> {
    return this.memberships
      .createQueryBuilder('t')
      .innerJoin(Membership, 'c', 'c.instituteId = t.instituteId')
      .where('t.userId = :target', { target: userId })
      .andWhere('c.userId = :caller AND c.status = :active AND c.role IN (:...roles)', { caller: callerId, active: MembershipStatus.Active, roles })
      .getExists();
  }

  isMemberAnywhere(userId: string): Promise<boolean> {
    return this.memberships.existsBy({ userId });
  }

  instituteExists(instituteId: string): Promise<boolean> {
    return this.memberships.manager.existsBy(Institute, { id: instituteId });
  }
}
