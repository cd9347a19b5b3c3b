import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../auth/auth.types';
import { Auth } from '../auth/decorators/auth.decorator';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import { Public } from '../common/decorators/public.decorator';
import { ReqMeta, RequestMeta } from '../common/decorators/request-meta.decorator';
import { AppError } from '../common/errors/app-error';
import { CompaniesService } from './companies.service';
import { CompanyResponseDto, CompanySummaryDto, CreateCompanyDto, SearchCompaniesQueryDto, UpdateCompanyDto } from './dto/company.dto';

const companyIdPipe = new ParseUUIDPipe({ exceptionFactory: () => AppError.notFound('COMPANY_NOT_FOUND', 'Company not found') });

@ApiTags('companies')
@Controller('companies')
export class CompaniesController {
  constructor(private readonly companies: CompaniesService) {}

  @Get()
  @Public()
  @ApiOperation({ operationId: 'searchCompanies', summary: 'Approved companies matching the search, for the registration typeahead' })
  @ApiOkResponse({ type: [CompanySummaryDto] })
  search(@Query() query: SearchCompaniesQueryDto) {
    return this.companies.search(query);
  }

  @Post()
  @Auth({ staff: true })
  @ApiErrors('COMPANY_EXISTS')
  @ApiOperation({ operationId: 'createCompany', summary: 'Create an (approved) company' })
  @ApiCreatedResponse({ type: CompanyResponseDto })
  create(@Body() body: CreateCompanyDto, @CurrentUser() user: AuthUser, @ReqMeta() meta: RequestMeta) {
    return this.companies.create(body, user, meta.ip);
  }

  @Get(':companyId')
  @Auth({ staff: true })
  @ApiErrors('COMPANY_NOT_FOUND')
  @ApiOperation({ operationId: 'getCompany', summary: 'One company, whatever its status' })
  @ApiOkResponse({ type: CompanyResponseDto })
  async get(@Param('companyId', companyIdPipe) id: string) {
    return CompanyResponseDto.from(await this.companies.get(id));
  }

  @Patch(':companyId')
  @Auth({ staff: true })
  @ApiErrors('COMPANY_NOT_FOUND', 'COMPANY_EXISTS')
  @ApiOperation({ operationId: 'updateCompany', summary: 'Rename a company or change its status' })
  @ApiOkResponse({ type: CompanyResponseDto })
  update(@Param('companyId', companyIdPipe) id: string, @Body() body: UpdateCompanyDto, @CurrentUser() user: AuthUser, @ReqMeta() meta: RequestMeta) {
    return this.companies.update(id, body, user, meta.ip);
  }
}
