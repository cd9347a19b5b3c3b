import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth.types';
import { newOpaqueToken, sha256 } from '../auth/token-hash';
import { Clock } from '../common/clock';
import { AppError } from '../common/errors/app-error';
import { Transactions } from '../common/transactions';
import { InstitutesService } from '../institutes/institutes.service';
import { CreatedScimTokenDto, ScimTokenDto } from './dto/scim-token.dto';
import { ScimToken } from './entities/scim-token.entity';
import { newId } from '../common/ids';

/** Recognisable by secret scanners, and never mistaken for an access token. */
const TOKEN_PREFIX = 'oktscim_';
/** `lastUsedAt` is written at most this often per token, not on every request. */
const LAST_USED_PRECISION_MS = 60_000;

/** The token a SCIM request authenticated with: it acts on its institute only. */
export interface ScimCaller {
  tokenId: string;
  tokenName: string;
  instituteId: string;
  ip: string | null;
}

/** An institute's SCIM bearer tokens: shown once, stored as SHA-256, named, revocable at once. */
@Injectable()
export class ScimTokensService {
  constructor(
    private readonly tx: Transactions,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly institutes: InstitutesService,
    @InjectRepository(ScimToken) private readonly tokens: Repository<ScimToken>,
  ) {}

  async create(instituteId: string, name: string, actor: AuthUser, ip: string | null): Promise<CreatedScimTokenDto> {
    await this.institutes.get(instituteId);
    const token = `${TOKEN_PREFIX}${newOpaqueToken()}`;
    const id = newId();
    await this.tx.run(async (em) => {
      await em.insert(ScimToken, { id, instituteId, name, tokenHash: sha256(token), createdById: actor.id });
      await this.audit.record(
        { action: 'scim.token_created', actorId: actor.id, targetType: 'scim_token', targetId: id, instituteId, ip, details: { name } },
        em,
      );
    });
    const row = await this.tokens.findOneByOrFail({ id });
    return { id, name: row.name, token, createdAt: row.createdAt.toISOString() };
  }

  async list(instituteId: string): Promise<ScimTokenDto[]> {
    await this.institutes.get(instituteId);
    const rows = await this.tokens.find({ where: { instituteId, revokedAt: IsNull() }, order: { createdAt: 'DESC', id: 'DESC' } });
    return rows.map((t) => ScimTokenDto.from(t));
  }

  async revoke(instituteId: string, tokenId: string, actor: AuthUser, ip: string | null): Promise<void> {
    await this.tx.run(async (em) => {
      const res = await em.update(ScimToken, { id: tokenId, instituteId, revokedAt: IsNull() }, { revokedAt: this.clock.now() });
      if (!res.affected) throw AppError.notFound('SCIM_TOKEN_NOT_FOUND', 'No such SCIM token in this institute');
      await this.audit.record({ action: 'scim.token_revoked', actorId: actor.id, targetType: 'scim_token', targetId: tokenId, instituteId, ip }, em);
    });
  }

  /** The live token behind a bearer value, or null; read on every request, so a revocation applies at once. */
  async authenticate(bearer: string, ip: string | null): Promise<ScimCaller | null> {
    if (!bearer.startsWith(TOKEN_PREFIX) || bearer.length > 200) return null;
    const token = await this.tokens.findOneBy({ tokenHash: sha256(bearer), revokedAt: IsNull() });
    if (!token) return null;
    const now = this.clock.now();
    if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() >= LAST_USED_PRECISION_MS) {
      await this.tokens
        .createQueryBuilder()
        .update(ScimToken)
        .set({ lastUsedAt: now })
        .where('id = :id AND (lastUsedAt IS NULL OR lastUsedAt <= :before)', { id: token.id, before: new Date(now.getTime() - LAST_USED_PRECISION_MS) })
        .execute();
    }
    return { tokenId: token.id, tokenName: token.name, instituteId: token.instituteId, ip };
  }
}
