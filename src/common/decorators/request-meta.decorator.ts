import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { toLocale } from '../locale';

export interface RequestMeta {
  /** The client address, honouring TRUST_PROXY for forwarded headers. */
  ip: string | null;
  /** The preferred language from Accept-Language, folded to a supported locale. */
  locale: string;
}

export const ReqMeta = createParamDecorator((_data: unknown, ctx: ExecutionContext): RequestMeta => {
  const req = ctx.switchToHttp().getRequest<Request>();
  return { ip: req.ip ?? null, locale: toLocale(req.acceptsLanguages('en', 'fr') || 'en') };
});
