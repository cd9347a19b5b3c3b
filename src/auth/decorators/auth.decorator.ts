import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { AuthRule } from '../auth.types';

export const AUTH_RULE_KEY = 'authRule';

/**
 * One decorator per access rule: it sets what the global guard enforces AND
 * what Swagger documents, so the two cannot drift apart (the error responses
 * are derived from the rule by src/openapi.ts when the document is built).
 *   @Auth()                                    any signed-in user
 *   @Auth({ staff: true })                     platform staff only
 *   @Auth({ institute: ['manager'] })          staff, or an active manager of :instituteId
 *   @Auth({ anyInstitute: ['manager','teacher'] }) staff, or active manager/teacher anywhere
 */
export function Auth(rule: AuthRule = {}) {
  return applyDecorators(SetMetadata(AUTH_RULE_KEY, rule), ApiBearerAuth('bearer'));
}
