import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth } from '../auth/decorators/auth.decorator';
import { AuditQueryService } from '../audit/audit-query.service';
import { AuditPageDto, ListAuditQueryDto } from '../audit/dto/audit.dto';

@ApiTags('admin')
@Controller('admin/audit')
export class AuditController {
  constructor(private readonly audit: AuditQueryService) {}

  @Get()
  @Auth({ staff: true })
  @ApiOperation({ operationId: 'listAudit', summary: 'The audit log (staff): security and administration events, newest first' })
  @ApiOkResponse({ type: AuditPageDto })
  list(@Query() query: ListAuditQueryDto) {
    return this.audit.list(query);
  }
}
