import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../auth/auth.types';
import { Auth } from '../auth/decorators/auth.decorator';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import { UserResponseDto } from '../auth/dto/user-response.dto';
import { AppError } from '../common/errors/app-error';
import { MeResponseDto, UpdateMeDto } from './dto/me.dto';
import { UserProfiles } from './user-profiles';
import { UsersService } from './users.service';

@ApiTags('me')
@Auth()
@Controller('me')
export class MeController {
  constructor(
    private readonly users: UsersService,
    private readonly profiles: UserProfiles,
  ) {}

  @Get()
  @ApiOperation({ operationId: 'getMe', summary: 'The caller, their memberships and company affiliation' })
  @ApiOkResponse({ type: MeResponseDto })
  me(@CurrentUser() caller: AuthUser): Promise<MeResponseDto> {
    return this.profile(caller.id);
  }

  @Patch()
  @ApiOperation({ operationId: 'updateMe', summary: 'Update the caller’s preferences (email language)' })
  @ApiOkResponse({ type: MeResponseDto })
  async update(@CurrentUser() caller: AuthUser, @Body() body: UpdateMeDto): Promise<MeResponseDto> {
    if (body.locale !== undefined) await this.users.updateLocale(caller.id, body.locale);
    return this.profile(caller.id);
  }

  private async profile(userId: string): Promise<MeResponseDto> {
    const user = await this.users.findById(userId);
    if (!user) throw AppError.unauthorized();
    return { ...UserResponseDto.from(user), ...(await this.profiles.sections(userId)) };
  }
}
