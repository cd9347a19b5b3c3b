import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { Body, Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../auth/auth.types';
import { Auth } from '../auth/decorators/auth.decorator';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import { AppError } from '../common/errors/app-error';
import { ReqMeta, RequestMeta } from '../common/decorators/request-meta.decorator';
import { MembershipRole } from '../auth/roles';
import { CreatedUserDto, CreateUserDto } from './dto/create-user.dto';
import { UserResponseDto } from '../auth/dto/user-response.dto';
import { UserAccountsService } from './user-accounts.service';

const notFound = () => AppError.notFound('USER_NOT_FOUND', 'User not found');

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(private readonly accounts: UserAccountsService) {}

  @Post()
  @Auth({ staff: true, anyInstitute: [MembershipRole.Manager, MembershipRole.Teacher] })
  @ApiErrors('EMAIL_TAKEN')
  @ApiOperation({ operationId: 'createUser', summary: 'Create a user (the seed’s “Create a user”); without a password, a set-password email goes out' })
  @ApiCreatedResponse({ type: CreatedUserDto })
  async create(@Body() body: CreateUserDto, @CurrentUser() user: AuthUser, @ReqMeta() meta: RequestMeta) {
    return CreatedUserDto.from(await this.accounts.create(body, user, meta));
  }

  @Get(':userId')
  @Auth()
  @ApiErrors('USER_NOT_FOUND')
  @ApiOperation({
    operationId: 'getUser',
    summary: 'A user: staff, the user, managers/teachers of an institute where the user is a member, or its creator while it belongs nowhere',
  })
  @ApiOkResponse({ type: UserResponseDto })
  async get(@Param('userId', new ParseUUIDPipe({ exceptionFactory: notFound })) userId: string, @CurrentUser() user: AuthUser) {
    return UserResponseDto.from(await this.accounts.getVisible(user, userId));
  }
}
