import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Req, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiAcceptedResponse, ApiBody, ApiConsumes, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AuthUser } from '../auth/auth.types';
import { Auth } from '../auth/decorators/auth.decorator';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import { ReqMeta, RequestMeta } from '../common/decorators/request-meta.decorator';
import { AppError } from '../common/errors/app-error';
import { PageQueryDto } from '../common/pagination';
import { MembershipRole } from '../memberships/entities/membership.entity';
import { ImportAcceptedDto, ImportDetailDto, ImportPageDto, ImportSummaryDto, UploadImportDto, UploadImportQueryDto } from './dto/import.dto';
import { ImportStatus } from './entities/import-batch.entity';
import { buildReport } from './workbook/report';
import { buildTemplate } from './workbook/template';
import { ImportsService, UploadedFile as Upload } from './imports.service';
import { UploadLimitInterceptor } from './upload-limit.interceptor';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const importIdPipe = new ParseUUIDPipe({ exceptionFactory: () => AppError.notFound('IMPORT_NOT_FOUND', 'Import not found') });
const EVENTS_POLL_MS = 500;
const EVENTS_HEARTBEAT_MS = 15_000;

@ApiTags('imports')
@Controller('institutes/:instituteId/imports')
@Auth({ institute: [MembershipRole.Manager, MembershipRole.Teacher] })
export class ImportsController {
  constructor(private readonly imports: ImportsService) {}

  @Get('template')
  @ApiOperation({ operationId: 'getImportTemplate', summary: 'The .xlsx template: header row First name, Last name, Email, Password, Group, Department' })
  @ApiOkResponse({ description: 'The template file (attachment)', content: { [XLSX]: { schema: { type: 'string', format: 'binary' } } } })
  async template(@Res() res: Response) {
    const file = await buildTemplate();
    res.set({ 'Content-Type': XLSX, 'Content-Disposition': 'attachment; filename="oktonine-students-template.xlsx"', 'Content-Length': String(file.length) });
    res.send(file);
  }

  @Post()
  @HttpCode(202)
  @UseInterceptors(UploadLimitInterceptor, FileInterceptor('file'))
  @ApiErrors('INVALID_FILE', 'INVALID_HEADER', 'TOO_MANY_ROWS', 'NO_ROWS', 'MALFORMED_MULTIPART', 'FILE_TOO_LARGE')
  @ApiOperation({
    operationId: 'uploadImport',
    summary:
      'Upload students (.xlsx or .ods: the first visible sheet with the header in its first 10 rows; or .csv); rows are validated now and processed in chunks by the workers',
    description:
      'Rows whose email belongs to a member are skipped, to an existing user attached as student, otherwise created. `?dryRun=true` validates and computes outcomes without writing.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: UploadImportDto })
  @ApiAcceptedResponse({ type: ImportAcceptedDto })
  upload(
    @Param('instituteId') instituteId: string,
    @UploadedFile() file: Upload | undefined,
    @Query() query: UploadImportQueryDto,
    @CurrentUser() user: AuthUser,
    @ReqMeta() meta: RequestMeta,
  ) {
    return this.imports.upload(instituteId, file, query.dryRun ?? false, user, meta.ip);
  }

  @Get()
  @ApiOperation({ operationId: 'listImports', summary: 'The institute’s imports, newest first' })
  @ApiOkResponse({ type: ImportPageDto })
  list(@Param('instituteId') instituteId: string, @Query() query: PageQueryDto) {
    return this.imports.list(instituteId, query);
  }

  @Get(':importId')
  @ApiErrors('IMPORT_NOT_FOUND')
  @ApiOperation({ operationId: 'getImport', summary: 'Status, counters and row errors of an import' })
  @ApiOkResponse({ type: ImportDetailDto })
  get(@Param('instituteId') instituteId: string, @Param('importId', importIdPipe) importId: string) {
    return this.imports.detail(instituteId, importId);
  }

  @Get(':importId/events')
  @ApiErrors('IMPORT_NOT_FOUND')
  @ApiOperation({
    operationId: 'streamImportEvents',
    summary: 'Server-Sent Events: the counters each time they change (event "progress"), until the import ends (event "end")',
    description: 'Each event’s data is the same JSON as GET …/imports/:importId without `errors`. The stream closes after the final state.',
  })
  @ApiOkResponse({
    description:
      'A text/event-stream of `event: progress` then one `event: end`; each `data:` line is an ImportSummaryDto as JSON and each `id:` the processed count. Comment lines (`: keep-alive`) every 15 s while nothing changes.',
    content: {
      'text/event-stream': {
        schema: { type: 'string', example: 'id: 120\nevent: progress\ndata: {"id":"…","status":"processing","processed":120,…}\n\n' },
      },
    },
  })
  @ApiExtraModels(ImportSummaryDto)
  async events(@Param('instituteId') instituteId: string, @Param('importId', importIdPipe) importId: string, @Req() req: Request, @Res() res: Response) {
    // 404 before the stream starts; afterwards every state is read from the database,
    // so any API replica can serve the stream whichever worker does the work.
    let batch = await this.imports.get(instituteId, importId);
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    let closed = false;
    req.on('close', () => (closed = true));
    let last = '';
    let lastWrite = Date.now();
    while (!closed) {
      const state = ImportSummaryDto.from(batch);
      const data = JSON.stringify(state);
      const ended = state.status === ImportStatus.Completed || state.status === ImportStatus.Failed;
      if (data !== last) {
        res.write(`id: ${state.processed}\nevent: ${ended ? 'end' : 'progress'}\ndata: ${data}\n\n`);
        last = data;
        lastWrite = Date.now();
      } else if (Date.now() - lastWrite > EVENTS_HEARTBEAT_MS) {
        res.write(': keep-alive\n\n');
        lastWrite = Date.now();
      }
      if (ended) break;
      await new Promise((r) => setTimeout(r, EVENTS_POLL_MS));
      if (closed) break;
      batch = await this.imports.get(instituteId, importId);
    }
    res.end();
  }

  @Get(':importId/report')
  @ApiErrors('IMPORT_NOT_FOUND', 'REPORT_EXPIRED')
  @ApiOperation({ operationId: 'getImportReport', summary: 'The report (.xlsx): every data row of the upload with its outcome and message' })
  @ApiOkResponse({ description: 'The report file (attachment)', content: { [XLSX]: { schema: { type: 'string', format: 'binary' } } } })
  async report(@Param('instituteId') instituteId: string, @Param('importId', importIdPipe) importId: string, @Res() res: Response) {
    const batch = await this.imports.get(instituteId, importId);
    if (batch.purgedAt) {
      throw new AppError(410, 'REPORT_EXPIRED', 'The rows of this import were purged after the retention period (IMPORT_RETENTION_DAYS)');
    }
    const file = await buildReport(this.imports.reportRows(batch.id));
    const name = `import-report-${batch.createdAt.toISOString().slice(0, 10)}-${batch.id.slice(0, 8)}.xlsx`;
    res.set({ 'Content-Type': XLSX, 'Content-Disposition': `attachment; filename="${name}"`, 'Content-Length': String(file.length) });
    res.send(file);
  }
}
