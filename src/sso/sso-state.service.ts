import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, LessThan, MoreThan, Repository } from 'typeorm';
import { newOpaqueToken, sha256 } from '../auth/token-hash';
import { Clock } from '../common/clock';
import { isUniqueViolation } from '../common/errors/db-errors';
import { SamlSeenAssertion, SsoCode, SsoRequest } from './entities/sso-request.entity';
import { newId } from '../common/ids';

/** A sign-in may take this long at the IdP (password, MFA). */
const REQUEST_TTL_MS = 10 * 60_000;
/** The frontend exchanges its code at once. */
const CODE_TTL_MS = 60_000;

/**
 * The state of sign-ins in the database, so that any replica (or this one
 * after a restart) finishes what another started: requests made to IdPs, the
 * one-time codes handed to frontends, SAML assertion ids already seen. Every
 * "use once" is a conditional UPDATE or a primary key, never a read-then-write.
 */
@Injectable()
export class SsoStateService {
  constructor(
    @InjectRepository(SsoRequest) private readonly requests: Repository<SsoRequest>,
    @InjectRepository(SsoCode) private readonly codes: Repository<SsoCode>,
    @InjectRepository(SamlSeenAssertion) private readonly seen: Repository<SamlSeenAssertion>,
    private readonly clock: Clock,
  ) {}

  async saveRequest(lookupKey: string, providerId: string, redirectUri: string, data: SsoRequest['data']): Promise<void> {
    const now = this.clock.now();
    await this.requests.delete({ expiresAt: LessThan(new Date(now.getTime() - REQUEST_TTL_MS)) });
    await this.requests.insert({
      id: newId(),
      lookupKey,
      providerId,
      redirectUri,
      data,
      expiresAt: new Date(now.getTime() + REQUEST_TTL_MS),
      usedAt: null,
    });
  }

  /** An unspent, unexpired request. */
  findRequest(lookupKey: string): Promise<SsoRequest | null> {
    return this.requests.findOneBy({ lookupKey, usedAt: IsNull(), expiresAt: MoreThan(this.clock.now()) });
  }

  /** Spends a request: true for the one caller that did. */
  async spendRequest(id: string): Promise<boolean> {
    const now = this.clock.now();
    const result = await this.requests.update({ id, usedAt: IsNull(), expiresAt: MoreThan(now) }, { usedAt: now });
    return result.affected === 1;
  }

  async issueCode(userId: string, redirectUri: string): Promise<string> {
    const code = newOpaqueToken();
    const now = this.clock.now();
    await this.codes.delete({ expiresAt: LessThan(new Date(now.getTime() - REQUEST_TTL_MS)) });
    await this.codes.insert({
      id: newId(),
      codeHash: sha256(code),
      userId,
      redirectUri,
      createdAt: now,
      expiresAt: new Date(now.getTime() + CODE_TTL_MS),
      usedAt: null,
    });
    return code;
  }

  /** The user of a code, spending it; null when unknown, spent, expired or bound to another redirect URI. */
  async spendCode(code: string, redirectUri: string): Promise<string | null> {
    const now = this.clock.now();
    const codeHash = sha256(code);
    const result = await this.codes.update({ codeHash, redirectUri, usedAt: IsNull(), expiresAt: MoreThan(now) }, { usedAt: now });
    if (result.affected !== 1) return null;
    return (await this.codes.findOneBy({ codeHash }))?.userId ?? null;
  }

  /** Records an assertion id until it expires: false when it was seen already (a replay). */
  async firstSight(providerId: string, assertionId: string, expiresAt: Date): Promise<boolean> {
    await this.seen.delete({ expiresAt: LessThan(this.clock.now()) });
    try {
      await this.seen.insert({ providerId, assertionId, expiresAt });
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }
}
