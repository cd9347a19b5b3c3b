import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import { Public } from '../common/decorators/public.decorator';
import { ReqMeta, RequestMeta } from '../common/decorators/request-meta.decorator';
import { RegisterInstituteDto, RegisterProfessionalDto, RegisterTeacherDto, RegistrationAcceptedDto } from './dto/register.dto';
import { RegistrationService } from './registration.service';

/** Self-registration, beside the other public /api/auth routes and rate-limited like them. */
@ApiTags('auth')
@Public()
@UseGuards(ThrottlerGuard)
@ApiErrors('TOO_MANY_REQUESTS')
@Controller('auth')
export class RegistrationController {
  constructor(private readonly registration: RegistrationService) {}

  @Post('register/teacher')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'registerTeacher',
    summary: 'A teacher registers: unverified account, pending teacher membership, verification email; the institute’s managers (or staff) are notified',
    description: 'The same 202 when the email already has an account: that address is told by email instead.',
  })
  @ApiAcceptedResponse({ type: RegistrationAcceptedDto })
  registerTeacher(@Body() body: RegisterTeacherDto, @ReqMeta() meta: RequestMeta) {
    return this.registration.registerTeacher(body, meta);
  }

  @Post('register/institute')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'registerInstitute',
    summary:
      'Request an institute that is not registered yet: unverified account, verification email; staff approve the request (the requester becomes its manager), reject it, or fold it into an existing institute',
    description: 'The same 202 when the email already has an account: that address is told by email instead.',
  })
  @ApiAcceptedResponse({ type: RegistrationAcceptedDto })
  @ApiErrors('VALIDATION_FAILED')
  registerInstitute(@Body() body: RegisterInstituteDto, @ReqMeta() meta: RequestMeta) {
    return this.registration.registerInstitute(body, meta);
  }

  @Post('register/professional')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'registerProfessional',
    summary: 'A company representative registers with an approved companyId or a typed companyName; staff are notified and validate within 48 h',
    description:
      'A typed name matching an existing company (ignoring case, accents, punctuation, legal forms) joins it; otherwise a pending company is created. The same 202 when the email already has an account.',
  })
  @ApiAcceptedResponse({ type: RegistrationAcceptedDto })
  registerProfessional(@Body() body: RegisterProfessionalDto, @ReqMeta() meta: RequestMeta) {
    return this.registration.registerProfessional(body, meta);
  }
}
