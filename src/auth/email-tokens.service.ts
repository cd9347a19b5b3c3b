import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, IsNull, Repository } from 'typeorm';
import { Clock } from '../common/clock';
import { Transactions } from '../common/transactions';
import { AppError } from '../common/errors/app-error';
import { RESET_PASSWORD_TTL_MS, SET_PASSWORD_TTL_MS, VERIFY_EMAIL_TTL_MS } from './auth.constants';
import { OneTimeToken, TokenPurpose } from './entities/one-time-token.entity';
import { newOpaqueToken, sha256 } from './token-hash';
import { newId } from '../common/ids';

const TTL: Record<TokenPurpose, number> = {
  [TokenPurpose.VerifyEmail]: VERIFY_EMAIL_TTL_MS,
  [TokenPurpose.ResetPassword]: RESET_PASSWORD_TTL_MS,
  [TokenPurpose.SetPassword]: SET_PASSWORD_TTL_MS,
};

const invalid = () => AppError.unauthorized('INVALID_TOKEN', 'The link is invalid, expired or already used');

/**
 * Single-use email tokens bound to one user and one purpose. Only their SHA-256
 * is stored; issuing a new one spends the older ones of the same purpose.
 */
@Injectable()
export class EmailTokensService {
  constructor(
    private readonly clock: Clock,
    private readonly tx: Transactions,
    @InjectRepository(OneTimeToken) private readonly tokens: Repository<OneTimeToken>,
  ) {}

  async issue(userId: string, purpose: TokenPurpose): Promise<string> {
    const now = this.clock.now();
    const raw = newOpaqueToken();
    await this.tx.run(async (em) => {
      // Spend the older links by primary key: an UPDATE over the (userId, purpose) range would
      // take gap locks there, and concurrent issues for other users then deadlock on their inserts.
      const older = await em.find(OneTimeToken, { select: { id: true }, where: { userId, purpose, usedAt: IsNull() } });
      if (older.length) await em.update(OneTimeToken, { id: In(older.map((t) => t.id)), usedAt: IsNull() }, { usedAt: now });
      await em.insert(OneTimeToken, {
        id: newId(),
        userId,
        purpose,
        tokenHash: sha256(raw),
        expiresAt: new Date(now.getTime() + TTL[purpose]),
        usedAt: null,
      });
    });
    return raw;
  }

  /** The token's user if it is valid now, without spending it (to validate the rest of a request first). */
  async peek(raw: string, purpose: TokenPurpose | TokenPurpose[]): Promise<string> {
    const token = await this.find(raw, purpose);
    return token.userId;
  }

  /** Spends the token atomically inside `em`'s transaction; of two concurrent uses one fails. */
  async consume(raw: string, purpose: TokenPurpose | TokenPurpose[], em: EntityManager): Promise<string> {
    const token = await this.find(raw, purpose);
    const spent = await em.update(OneTimeToken, { id: token.id, usedAt: IsNull() }, { usedAt: this.clock.now() });
    if (!spent.affected) throw invalid();
    return token.userId;
  }

  private async find(raw: string, purpose: TokenPurpose | TokenPurpose[]): Promise<OneTimeToken> {
    if (typeof raw !== 'string' || raw.length < 20 || raw.length > 200) throw invalid();
    const token = await this.tokens.findOne({ where: { tokenHash: sha256(raw) } });
    const purposes: TokenPurpose[] = Array.isArray(purpose) ? purpose : [purpose];
    if (!token || !purposes.includes(token.purpose) || token.usedAt || token.expiresAt.getTime() <= this.clock.now().getTime()) throw invalid();
    return token;
  }
}
