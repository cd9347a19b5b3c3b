import { Injectable } from '@nestjs/common';
import { MeAffiliationDto, MeMembershipDto } from './dto/me.dto';

/** The parts of GET /api/me that other modules hold. */
export interface ProfileSections {
  memberships: MeMembershipDto[];
  company: MeAffiliationDto | null;
}

type Contributor<K extends keyof ProfileSections> = (userId: string) => Promise<ProfileSections[K]>;

const EMPTY: ProfileSections = { memberships: [], company: null };

/**
 * An account's profile is assembled from the modules that hold its parts:
 * `memberships/` contributes the memberships, `companies/` the affiliation.
 * They register here (users/ sits below them and imports neither).
 */
@Injectable()
export class UserProfiles {
  private readonly contributors = new Map<keyof ProfileSections, Contributor<keyof ProfileSections>>();

  /** Call from onModuleInit. */
  contribute<K extends keyof ProfileSections>(section: K, contributor: Contributor<K>): void {
    if (this.contributors.has(section)) throw new Error(`Profile section "${section}" contributed twice`);
    this.contributors.set(section, contributor);
  }

  async sections(userId: string): Promise<ProfileSections> {
    const entries = await Promise.all(
      (Object.keys(EMPTY) as Array<keyof ProfileSections>).map(async (key) => [key, (await this.contributors.get(key)?.(userId)) ?? EMPTY[key]] as const),
    );
    return Object.fromEntries(entries) as unknown as ProfileSections;
  }
}
