import { Body, Controller, Get, Patch, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../auth/auth.types';
import { Auth } from '../auth/decorators/auth.decorator';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import { UserResponseDto } from '../auth/dto/user-response.dto';
import { AppError } from '../common/errors/app-error';
import { MeResponseDto, UpdateMeDto } from './dto/me.dto';
import { PersonalDataService } from './personal-data.service';
import { UserProfiles } from './user-profiles';
import { UsersService } from './users.service';

@ApiTags('me')
@Auth()
@Controller('me')
export class MeController {
  constructor(
    private readonly users: UsersService,
    private readonly profiles: UserProfiles,
    private readonly personalData: PersonalDataService,
  ) {}

  @Get()
  @ApiOperation({ operationId: 'getMe', summary: 'The caller, their memberships and company affiliation' })
  @ApiOkResponse({ type: MeResponseDto })
  me(@CurrentUser() caller: AuthUser): Promise<MeResponseDto> {
    return this.profile(caller.id);
  }

  @Get('export')
  @ApiOperation({
    operationId: 'exportMyData',
    summary:
      'Everything held about the caller, as one JSON document (GDPR articles 15 and 20): profile, memberships, affiliation, notifications, audit entries, import rows, mail log, sessions',
  })
  @ApiOkResponse({ description: 'The export document: one key per section', schema: { type: 'object', additionalProperties: true } })
  exportData(@CurrentUser() caller: AuthUser, @Res({ passthrough: true }) res: Response): Promise<Record<string, unknown>> {
    res.setHeader('Content-Disposition', 'attachment; filename="oktonine-personal-data.json"');
    return this.personalData.export(caller.id);
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
