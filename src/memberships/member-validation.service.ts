import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { AppError } from '../common/errors/app-error';
import { Transactions } from '../common/transactions';
import { mailConfig } from '../config/configuration';
import { Institute } from '../institutes/entities/institute.entity';
import { MailService } from '../mail/mail.service';
import { NotificationsService } from '../notifications/notifications.service';
import { NotificationType } from '../notifications/notifications.types';
import { User } from '../users/entities/user.entity';
import { MemberResponseDto } from './dto/membership.dto';
import { Membership, MembershipStatus } from './entities/membership.entity';
import { Actor, MembershipsService } from './memberships.service';

/**
 * "Accounts validation by the manager": a self-registered teacher's pending
 * membership is activated or rejected. The conditional UPDATE (…WHERE status =
 * 'pending') decides between concurrent managers: one activation, one email;
 * the other gets 409 NOT_PENDING.
 */
@Injectable()
export class MemberValidationService {
  constructor(
    private readonly tx: Transactions,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
    private readonly mail: MailService,
    private readonly members: MembershipsService,
    @Inject(mailConfig.KEY) private readonly mailCfg: ConfigType<typeof mailConfig>,
  ) {}

  async activate(instituteId: string, userId: string, actor: Actor): Promise<MemberResponseDto> {
    const { user, institute } = await this.decide(instituteId, userId, MembershipStatus.Active, null, actor);
    await this.mail.send({
      to: user.email,
      userId: user.id,
      about: { type: 'user', id: user.id, instituteId },
      template: 'teacher-activated',
      locale: user.locale,
      context: { firstName: user.firstName, instituteName: institute.name, loginLink: `${this.mailCfg.appUrl}/login` },
    });
    return this.members.getMember(instituteId, userId);
  }

  async reject(instituteId: string, userId: string, reason: string | null | undefined, actor: Actor): Promise<MemberResponseDto> {
    const { user, institute } = await this.decide(instituteId, userId, MembershipStatus.Rejected, reason ?? null, actor);
    await this.mail.send({
      to: user.email,
      userId: user.id,
      about: { type: 'user', id: user.id, instituteId },
      template: 'teacher-rejected',
      locale: user.locale,
      context: { firstName: user.firstName, instituteName: institute.name, reason: reason ?? '' },
    });
    return this.members.getMember(instituteId, userId);
  }

  private decide(instituteId: string, userId: string, status: MembershipStatus, reason: string | null, actor: Actor) {
    return this.tx.run(async (em) => {
      const res = await em.update(
        Membership,
        { instituteId, userId, status: MembershipStatus.Pending },
        { status, validatedById: actor.user.id, validatedAt: this.clock.now(), rejectionReason: reason },
      );
      if (!res.affected) {
        if (await em.existsBy(Membership, { instituteId, userId })) throw AppError.conflict('NOT_PENDING', 'This membership is not pending');
        throw AppError.notFound('MEMBER_NOT_FOUND', 'This user is not a member of this institute');
      }
      const [user, institute, m] = await Promise.all([
        em.findOneByOrFail(User, { id: userId }),
        em.findOneByOrFail(Institute, { id: instituteId }),
        em.findOneByOrFail(Membership, { instituteId, userId }),
      ]);
      const activated = status === MembershipStatus.Active;
      await this.notifications.create(em, [
        {
          userId,
          type: activated ? NotificationType.MemberActivated : NotificationType.MemberRejected,
          title: activated ? `You are now a ${m.role} at ${institute.name}` : `Your request to join ${institute.name} was declined`,
          data: { instituteId, instituteName: institute.name, role: m.role, reason },
        },
      ]);
      await this.audit.record(
        {
          action: activated ? 'member.activated' : 'member.rejected',
          actorId: actor.user.id,
          targetType: 'user',
          targetId: userId,
          instituteId,
          ip: actor.ip,
          details: { role: m.role, reason },
        },
        em,
      );
      return { user, institute };
    });
  }
}
