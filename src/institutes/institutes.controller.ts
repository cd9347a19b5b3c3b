import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../auth/auth.types';
import { Auth } from '../auth/decorators/auth.decorator';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import { Public } from '../common/decorators/public.decorator';
import { ReqMeta, RequestMeta } from '../common/decorators/request-meta.decorator';
import { MembershipRole } from '../auth/roles';
import { CreateInstituteBodyDto, InstituteResponseDto, InstituteSummaryDto, SearchInstitutesQueryDto, UpdateInstituteDto } from './dto/institute.dto';
import { InstitutesService } from './institutes.service';

const ALL_ROLES = [MembershipRole.Student, MembershipRole.Teacher, MembershipRole.Manager];

@ApiTags('institutes')
@Controller('institutes')
export class InstitutesController {
  constructor(private readonly institutes: InstitutesService) {}

  @Get()
  @Public()
  @ApiOperation({ operationId: 'searchInstitutes', summary: 'Search active institutes (registration typeahead): at most 20' })
  @ApiOkResponse({ type: [InstituteSummaryDto] })
  search(@Query() query: SearchInstitutesQueryDto) {
    return this.institutes.search(query.search, query.limit);
  }

  @Post()
  @Auth({ staff: true })
  @ApiOperation({ operationId: 'createInstitute', summary: 'Create an institute (staff)' })
  @ApiCreatedResponse({ type: InstituteResponseDto })
  @ApiErrors('INSTITUTE_EXISTS')
  create(@Body() body: CreateInstituteBodyDto, @CurrentUser() user: AuthUser, @ReqMeta() meta: RequestMeta) {
    return this.institutes.create(body, user.id, meta.ip);
  }

  @Get(':instituteId')
  @Auth({ institute: ALL_ROLES })
  @ApiOperation({ operationId: 'getInstitute', summary: 'An institute (staff, its active members)' })
  @ApiOkResponse({ type: InstituteResponseDto })
  async get(@Param('instituteId') id: string) {
    return InstituteResponseDto.from(await this.institutes.get(id));
  }

  @Patch(':instituteId')
  @Auth({ staff: true })
  @ApiOperation({ operationId: 'updateInstitute', summary: 'Edit an institute: name, city, country, status (staff)' })
  @ApiOkResponse({ type: InstituteResponseDto })
  update(@Param('instituteId') id: string, @Body() body: UpdateInstituteDto, @CurrentUser() user: AuthUser, @ReqMeta() meta: RequestMeta) {
    return this.institutes.update(id, body, user.id, meta.ip);
  }
}
