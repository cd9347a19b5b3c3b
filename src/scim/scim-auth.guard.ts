import { CanActivate, createParamDecorator, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { ThrottlerStorage } from '@nestjs/throttler';
import type { Request } from 'express';
import { scimConfig } from '../config/configuration';
import { ScimError } from './scim-error';
import { ScimCaller, ScimTokensService } from './scim-tokens.service';

type ScimRequest = Request & { scim?: ScimCaller };

/**
 * `/scim/v2` authentication: a live SCIM token of an institute (the routes are
 * @Public() to the JWT guard), then the token's rate limit. The counter lives
 * in the throttler storage the auth throttle uses: Redis when configured, so
 * every replica counts in one place, and its outage answers 503 (fail closed).
 */
@Injectable()
export class ScimAuthGuard implements CanActivate {
  constructor(
    private readonly tokens: ScimTokensService,
    @Inject(ThrottlerStorage) private readonly counters: ThrottlerStorage,
    @Inject(scimConfig.KEY) private readonly config: ConfigType<typeof scimConfig>,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<ScimRequest>();
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    const caller = bearer ? await this.tokens.authenticate(bearer, req.ip ?? null) : null;
    if (!caller) throw new ScimError(401, null, 'A valid SCIM token is required', { 'WWW-Authenticate': 'Bearer realm="scim"' });
    const windowMs = this.config.throttleTtlSeconds * 1000;
    const hits = await this.counters.increment(`scim:${caller.tokenId}`, windowMs, this.config.throttleLimit, windowMs, 'scim');
    if (hits.isBlocked) {
      throw new ScimError(429, null, 'Too many requests with this SCIM token; retry later', { 'Retry-After': String(Math.max(1, hits.timeToBlockExpire)) });
    }
    req.scim = caller;
    return true;
  }
}

/** The token the request authenticated with (set by ScimAuthGuard). */
export const Scim = createParamDecorator((_data: unknown, ctx: ExecutionContext): ScimCaller => ctx.switchToHttp().getRequest<ScimRequest>().scim!);
