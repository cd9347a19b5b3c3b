import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AccessService } from '../auth/access.service';
import { AuthUser } from '../auth/auth.types';
import { Auth } from '../auth/decorators/auth.decorator';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import { AppError } from '../common/errors/app-error';
import { Page } from '../common/pagination';
import { DirectoryPageDto, DirectoryUserDto, SearchUsersQueryDto } from '../users/dto/directory.dto';
import { UsersService } from '../users/users.service';
import { MembershipsService } from './memberships.service';
import { MembershipRole, MembershipStatus } from './entities/membership.entity';

const VIEWERS = [MembershipRole.Manager, MembershipRole.Teacher];

/**
 * The people directory (GET /api/users): lives here, not in users/, because
 * who may see whom is decided by memberships.
 */
@ApiTags('users')
@Controller('users')
export class PeopleDirectoryController {
  constructor(
    private readonly users: UsersService,
    private readonly access: AccessService,
    private readonly memberships: MembershipsService,
  ) {}

  @Get()
  @Auth()
  @ApiOperation({
    operationId: 'searchUsers',
    summary: 'Find people by email prefix or name words: staff everyone; managers and teachers the members of an institute of theirs (instituteId required)',
  })
  @ApiOkResponse({ type: DirectoryPageDto })
  @ApiErrors('VALIDATION_FAILED', 'INSTITUTE_NOT_FOUND', 'FORBIDDEN')
  async search(@Query() query: SearchUsersQueryDto, @CurrentUser() caller: AuthUser): Promise<Page<DirectoryUserDto>> {
    if (!caller.isStaff) {
      if (!query.instituteId) throw AppError.validation([{ field: 'instituteId', message: 'instituteId is required' }]);
      const membership = await this.access.membershipIn(caller.id, query.instituteId);
      if (!membership) throw AppError.notFound('INSTITUTE_NOT_FOUND', 'Institute not found');
      if (membership.status !== MembershipStatus.Active || !VIEWERS.includes(membership.role)) {
        throw AppError.forbidden('FORBIDDEN', 'Your role in this institute does not allow this');
      }
    }
    const instituteId = query.instituteId;
    const scope = instituteId ? (ids: string[]) => this.memberships.membersAmong(instituteId, ids) : undefined;
    const page = await this.users.directory(query.search, query, scope);
    return { items: page.items.map((u) => DirectoryUserDto.from(u)), nextCursor: page.nextCursor };
  }
}
