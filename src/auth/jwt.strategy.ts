import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { authConfig } from '../config/configuration';
import { AccountStore } from './ports';
import { ACCESS_TOKEN_TYPE, JWT_AUDIENCE, JWT_ISSUER } from './auth.constants';
import { AuthUser } from './auth.types';
import { AccessTokenClaims } from './tokens.service';

/**
 * Access tokens: HS256 only (alg pinned, so `none` or RS/HS confusion fail),
 * issuer, audience and expiry checked, `typ` must be "access". The user is then
 * read from the database, so a deleted account or a bumped token version
 * (password reset/change) refuses the token at once.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(authConfig.KEY) config: ConfigType<typeof authConfig>,
    private readonly accounts: AccountStore,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A KeyObject, made once (see authConfig.jwtKey); passport-jwt's types predate it, jsonwebtoken takes it.
      secretOrKey: config.jwtKey as unknown as Buffer,
      algorithms: ['HS256'],
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      ignoreExpiration: false,
    });
  }

  async validate(payload: Partial<AccessTokenClaims> & { exp?: number }): Promise<AuthUser | false> {
    if (payload.typ !== ACCESS_TOKEN_TYPE || typeof payload.sub !== 'string' || typeof payload.exp !== 'number') return false;
    const user = await this.accounts.findById(payload.sub);
    if (!user || user.tokenVersion !== payload.ver || user.disabledAt) return false;
    return { id: user.id, email: user.email, isStaff: user.isStaff };
  }
}
