import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../auth/auth.types';
import { Auth } from '../auth/decorators/auth.decorator';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import { ReqMeta, RequestMeta } from '../common/decorators/request-meta.decorator';
import { AppError } from '../common/errors/app-error';
import { RejectDto } from '../common/dto/reject.dto';
import { ApproveProfessionalDto, ListProfessionalsQueryDto, ProfessionalPageDto, ProfessionalRequestDto } from './dto/company.dto';
import { ProfessionalsService } from './professionals.service';

const userIdPipe = new ParseUUIDPipe({ exceptionFactory: () => AppError.notFound('PROFESSIONAL_NOT_FOUND', 'No professional request for this user') });

@ApiTags('professionals')
@Controller('admin/professionals')
@Auth({ staff: true })
export class ProfessionalsController {
  constructor(private readonly professionals: ProfessionalsService) {}

  @Get()
  @ApiOperation({ operationId: 'listProfessionals', summary: 'The validation queue, oldest first; dueAt = submittedAt + 48 h' })
  @ApiOkResponse({ type: ProfessionalPageDto })
  queue(@Query() query: ListProfessionalsQueryDto) {
    return this.professionals.queue(query);
  }

  @Get(':userId')
  @ApiErrors('PROFESSIONAL_NOT_FOUND')
  @ApiOperation({ operationId: 'getProfessional', summary: 'One professional’s request' })
  @ApiOkResponse({ type: ProfessionalRequestDto })
  get(@Param('userId', userIdPipe) userId: string) {
    return this.professionals.get(userId);
  }

  @Post(':userId/approve')
  @HttpCode(200)
  @ApiErrors('PROFESSIONAL_NOT_FOUND', 'NOT_PENDING', 'COMPANY_NOT_FOUND')
  @ApiOperation({
    operationId: 'approveProfessional',
    summary: 'pending → approved (approving a pending company too, or folding it into `companyId`); the professional is emailed',
  })
  @ApiOkResponse({ type: ProfessionalRequestDto })
  approve(@Param('userId', userIdPipe) userId: string, @Body() body: ApproveProfessionalDto, @CurrentUser() user: AuthUser, @ReqMeta() meta: RequestMeta) {
    return this.professionals.approve(userId, body, user, meta.ip);
  }

  @Post(':userId/reject')
  @HttpCode(200)
  @ApiErrors('PROFESSIONAL_NOT_FOUND', 'NOT_PENDING')
  @ApiOperation({ operationId: 'rejectProfessional', summary: 'pending → rejected with an optional reason; the professional is emailed' })
  @ApiOkResponse({ type: ProfessionalRequestDto })
  reject(@Param('userId', userIdPipe) userId: string, @Body() body: RejectDto, @CurrentUser() user: AuthUser, @ReqMeta() meta: RequestMeta) {
    return this.professionals.reject(userId, body.reason, user, meta.ip);
  }
}
