import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth } from '../auth/decorators/auth.decorator';
import { InstitutePageDto, ListInstitutesQueryDto } from './dto/institute.dto';
import { InstitutesService } from './institutes.service';

@ApiTags('admin')
@Auth({ staff: true })
@Controller('admin/institutes')
export class AdminInstitutesController {
  constructor(private readonly institutes: InstitutesService) {}

  @Get()
  @ApiOperation({ operationId: 'listAllInstitutes', summary: 'Every institute, any status, newest first (staff)' })
  @ApiOkResponse({ type: InstitutePageDto })
  list(@Query() query: ListInstitutesQueryDto) {
    return this.institutes.list(query);
  }
}
