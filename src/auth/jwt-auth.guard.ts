import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { AppError } from '../common/errors/app-error';
import { IS_PUBLIC_KEY } from '../common/decorators/public.decorator';
import { MembershipStatus } from './roles';
import { AccessService, isUuid } from './access.service';
import { AuthenticatedRequest, AuthRule, AuthUser } from './auth.types';
import { AUTH_RULE_KEY } from './decorators/auth.decorator';

/**
 * The global guard: every route needs a valid access token unless @Public();
 * then the route's @Auth rule is enforced against memberships read from the
 * database on this request. A member of nothing in the route's institute gets
 * 404 (its existence is not revealed); a member without the role gets 403.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(
    private readonly reflector: Reflector,
    private readonly access: AccessService,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets)) return true;
    await super.canActivate(context);
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const rule = this.reflector.getAllAndOverride<AuthRule | undefined>(AUTH_RULE_KEY, targets);
    if (rule) await this.authorize(req, rule);
    return true;
  }

  override handleRequest<TUser = AuthUser>(err: unknown, user: TUser | false, info: unknown): TUser {
    if (err || !user) {
      const expired = info instanceof Error && info.name === 'TokenExpiredError';
      throw expired
        ? AppError.unauthorized('TOKEN_EXPIRED', 'The access token has expired')
        : AppError.unauthorized('UNAUTHORIZED', 'A valid access token is required');
    }
    return user;
  }

  private async assertInstituteExists(instituteId: string): Promise<void> {
    if (!(await this.access.instituteExists(instituteId))) throw AppError.notFound('INSTITUTE_NOT_FOUND', 'Institute not found');
  }

  private async authorize(req: AuthenticatedRequest, rule: AuthRule): Promise<void> {
    const user = req.user;
    const instituteId = req.params.instituteId;
    if (instituteId !== undefined && !isUuid(instituteId)) {
      throw AppError.validation([{ field: 'instituteId', message: 'instituteId must be a UUID' }], 'Invalid path parameter: instituteId');
    }
    if (rule.institute) {
      const membership = await this.access.membershipIn(user.id, instituteId);
      if (membership?.status === MembershipStatus.Active) req.membership = membership;
      if (user.isStaff) return this.assertInstituteExists(instituteId);
      if (!membership) throw AppError.notFound('INSTITUTE_NOT_FOUND', 'Institute not found');
      if (membership.status === MembershipStatus.Pending) {
        throw AppError.forbidden('MEMBERSHIP_PENDING', 'Your membership of this institute is waiting for a manager’s validation');
      }
      if (membership.status !== MembershipStatus.Active || !rule.institute.includes(membership.role)) {
        throw AppError.forbidden('FORBIDDEN', 'Your role in this institute does not allow this');
      }
      return;
    }
    // Staff-only routes under an institute: an unknown one is 404 before the handler runs.
    if (user.isStaff && instituteId !== undefined) return this.assertInstituteExists(instituteId);
    if (user.isStaff) return;
    if (rule.anyInstitute && (await this.access.hasActiveRoleAnywhere(user.id, rule.anyInstitute))) return;
    if (rule.staff || rule.anyInstitute) throw AppError.forbidden('FORBIDDEN', 'You are not allowed to do this');
  }
}
