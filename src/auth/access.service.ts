import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { Membership, MembershipRole, MembershipStatus } from '../memberships/entities/membership.entity';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** Membership lookups behind every authorisation decision, read per request. */
@Injectable()
export class AccessService {
  constructor(@InjectRepository(Membership) private readonly memberships: Repository<Membership>) {}

  membershipIn(userId: string, instituteId: string): Promise<Membership | null> {
    if (!isUuid(instituteId)) return Promise.resolve(null);
    return this.memberships.findOne({ where: { userId, instituteId } });
  }

  async hasActiveRoleAnywhere(userId: string, roles: MembershipRole[]): Promise<boolean> {
    const count = await this.memberships.count({ where: { userId, status: MembershipStatus.Active, role: In(roles) } });
    return count > 0;
  }
}
