import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../auth/auth.types';
import { Auth } from '../auth/decorators/auth.decorator';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import { ReqMeta, RequestMeta } from '../common/decorators/request-meta.decorator';
import { RejectDto } from '../common/dto/reject.dto';
import { AppError } from '../common/errors/app-error';
import { ApproveInstituteRequestDto, InstituteRequestDto, InstituteRequestPageDto, ListInstituteRequestsQueryDto } from './dto/institute-request.dto';
import { InstituteRequestsService } from './institute-requests.service';

const requestIdPipe = new ParseUUIDPipe({ exceptionFactory: () => AppError.notFound('INSTITUTE_REQUEST_NOT_FOUND', 'Institute request not found') });

@ApiTags('admin')
@Auth({ staff: true })
@Controller('admin/institute-requests')
export class InstituteRequestsController {
  constructor(private readonly requests: InstituteRequestsService) {}

  @Get()
  @ApiOperation({
    operationId: 'listInstituteRequests',
    summary:
      'Requests to register an institute, oldest first, each with the existing institutes whose folded name is close (pending: verified requesters only)',
  })
  @ApiOkResponse({ type: InstituteRequestPageDto })
  list(@Query() query: ListInstituteRequestsQueryDto) {
    return this.requests.list(query);
  }

  @Post(':requestId/approve')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'approveInstituteRequest',
    summary:
      'Approve: the institute is created with the requester as its active manager; or, with foldIntoInstituteId, the requester joins that institute as a pending teacher. The requester is emailed',
  })
  @ApiOkResponse({ type: InstituteRequestDto })
  @ApiErrors('INSTITUTE_REQUEST_NOT_FOUND', 'INSTITUTE_NOT_FOUND', 'NOT_PENDING', 'REQUESTER_NOT_VERIFIED', 'INSTITUTE_EXISTS', 'ALREADY_MEMBER')
  approve(
    @Param('requestId', requestIdPipe) requestId: string,
    @Body() body: ApproveInstituteRequestDto,
    @CurrentUser() caller: AuthUser,
    @ReqMeta() meta: RequestMeta,
  ): Promise<InstituteRequestDto> {
    return this.requests.approve(requestId, body, caller.id, meta.ip);
  }

  @Post(':requestId/reject')
  @HttpCode(200)
  @ApiOperation({ operationId: 'rejectInstituteRequest', summary: 'Reject with an optional reason; the requester is emailed' })
  @ApiOkResponse({ type: InstituteRequestDto })
  @ApiErrors('INSTITUTE_REQUEST_NOT_FOUND', 'NOT_PENDING')
  reject(
    @Param('requestId', requestIdPipe) requestId: string,
    @Body() body: RejectDto,
    @CurrentUser() caller: AuthUser,
    @ReqMeta() meta: RequestMeta,
  ): Promise<InstituteRequestDto> {
    return this.requests.reject(requestId, body.reason ?? null, caller.id, meta.ip);
  }
}
