import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { IsNull, Repository } from 'typeorm';
import { Clock } from '../common/clock';
import { insertEntities } from '../common/sql';
import { AppError } from '../common/errors/app-error';
import { AuditService } from '../audit/audit.service';
import {
  ACCESS_TOKEN_TTL_SECONDS,
  ACCESS_TOKEN_TYPE,
  DASHBOARD_AUDIENCE,
  DASHBOARD_SESSION_TTL_SECONDS,
  DASHBOARD_TOKEN_TYPE,
  JWT_AUDIENCE,
  JWT_ISSUER,
  REFRESH_TOKEN_TTL_MS,
} from './auth.constants';
import { RefreshToken } from './entities/refresh-token.entity';
import { Account } from './ports';
import { newOpaqueToken, sha256 } from './token-hash';

const invalidRefresh = () => AppError.unauthorized('INVALID_REFRESH_TOKEN', 'The refresh token is invalid or expired');

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

export interface AccessTokenClaims {
  sub: string;
  typ: string;
  ver: number;
}

@Injectable()
export class TokensService {
  constructor(
    private readonly jwt: JwtService,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    @InjectRepository(RefreshToken) private readonly refreshTokens: Repository<RefreshToken>,
  ) {}

  /** A new login: a new refresh-token family. */
  async issue(user: Pick<Account, 'id' | 'tokenVersion'>): Promise<TokenPair> {
    return this.issueInFamily(user, randomUUID());
  }

  /**
   * Rotation: the presented token is spent and a new one issued in its family.
   * Presenting a spent token again means it leaked: the whole family is revoked.
   */
  async rotate(raw: string, ip: string | null, loadUser: (id: string) => Promise<Account | null>): Promise<TokenPair> {
    const now = this.clock.now();
    const token = await this.refreshTokens.findOne({ where: { tokenHash: sha256(raw) } });
    if (!token) throw invalidRefresh();
    if (token.revokedAt) throw invalidRefresh();
    if (token.usedAt) return this.reused(token, ip);
    if (token.expiresAt.getTime() <= now.getTime()) throw invalidRefresh();
    // Spend it atomically: of two concurrent uses only one wins; the loser counts as reuse.
    const spent = await this.refreshTokens.update({ id: token.id, usedAt: IsNull(), revokedAt: IsNull() }, { usedAt: now });
    if (!spent.affected) return this.reused(token, ip);
    const user = await loadUser(token.userId);
    if (!user) throw invalidRefresh();
    return this.issueInFamily(user, token.familyId);
  }

  /** Logout: the session (family) of this token ends. Unknown tokens are ignored. */
  async revokeByToken(raw: string): Promise<void> {
    const token = await this.refreshTokens.findOne({ where: { tokenHash: sha256(raw) } });
    if (token) await this.revokeFamily(token.familyId);
  }

  async revokeAllForUser(userId: string): Promise<void> {
    await this.refreshTokens.update({ userId, revokedAt: IsNull() }, { revokedAt: this.clock.now() });
  }

  /**
   * The queue dashboard's session (a browser sends cookies, not bearer tokens):
   * short-lived, its own audience and type, bound to the account's token version
   * so a password change ends it. Whoever checks it reads the account's rights again.
   */
  issueDashboardSession(user: Pick<Account, 'id' | 'tokenVersion'>): Promise<string> {
    const claims: AccessTokenClaims = { sub: user.id, typ: DASHBOARD_TOKEN_TYPE, ver: user.tokenVersion };
    return this.jwt.signAsync(claims, {
      algorithm: 'HS256',
      expiresIn: DASHBOARD_SESSION_TTL_SECONDS,
      issuer: JWT_ISSUER,
      audience: DASHBOARD_AUDIENCE,
      jwtid: randomUUID(),
    });
  }

  /** The claims of a valid dashboard session, or null (bad signature, expired, another kind of token). */
  async verifyDashboardSession(token: string): Promise<{ userId: string; tokenVersion: number } | null> {
    try {
      const claims = await this.jwt.verifyAsync<Partial<AccessTokenClaims>>(token, { algorithms: ['HS256'], issuer: JWT_ISSUER, audience: DASHBOARD_AUDIENCE });
      if (claims.typ !== DASHBOARD_TOKEN_TYPE || typeof claims.sub !== 'string' || typeof claims.ver !== 'number') return null;
      return { userId: claims.sub, tokenVersion: claims.ver };
    } catch {
      return null;
    }
  }

  /** A spent token presented again has leaked: its whole family ends. */
  private async reused(token: RefreshToken, ip: string | null): Promise<never> {
    await this.revokeFamily(token.familyId);
    await this.audit.record({
      action: 'auth.refresh_reuse',
      actorId: token.userId,
      targetType: 'user',
      targetId: token.userId,
      ip,
      details: { familyId: token.familyId },
    });
    throw invalidRefresh();
  }

  private async revokeFamily(familyId: string): Promise<void> {
    await this.refreshTokens.update({ familyId, revokedAt: IsNull() }, { revokedAt: this.clock.now() });
  }

  private async issueInFamily(user: Pick<Account, 'id' | 'tokenVersion'>, familyId: string): Promise<TokenPair> {
    const now = this.clock.now();
    const claims: AccessTokenClaims = { sub: user.id, typ: ACCESS_TOKEN_TYPE, ver: user.tokenVersion };
    const accessToken = await this.jwt.signAsync(claims, {
      algorithm: 'HS256',
      expiresIn: ACCESS_TOKEN_TTL_SECONDS,
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      jwtid: randomUUID(),
    });
    const refreshToken = newOpaqueToken();
    await insertEntities(this.refreshTokens.manager, RefreshToken, {
      id: randomUUID(),
      userId: user.id,
      familyId,
      tokenHash: sha256(refreshToken),
      expiresAt: new Date(now.getTime() + REFRESH_TOKEN_TTL_MS),
      usedAt: null,
      revokedAt: null,
    });
    return { accessToken, refreshToken, tokenType: 'Bearer', expiresIn: ACCESS_TOKEN_TTL_SECONDS };
  }
}
