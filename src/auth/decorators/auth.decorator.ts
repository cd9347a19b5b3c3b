import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiNotFoundResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AuthRule } from '../auth.types';

export const AUTH_RULE_KEY = 'authRule';

/**
 * One decorator per access rule: it sets what the global guard enforces AND
 * what Swagger documents, so the two cannot drift apart.
 *   @Auth()                                    any signed-in user
 *   @Auth({ staff: true })                     platform staff only
 *   @Auth({ institute: ['manager'] })          staff, or an active manager of :instituteId
 *   @Auth({ anyInstitute: ['manager','teacher'] }) staff, or active manager/teacher anywhere
 */
export function Auth(rule: AuthRule = {}) {
  const who: string[] = [];
  if (rule.staff || rule.institute || rule.anyInstitute) who.push('staff');
  if (rule.institute) who.push(`${rule.institute.join('/')} of the institute`);
  if (rule.anyInstitute) who.push(`any active ${rule.anyInstitute.join('/')}`);
  const decorators = [
    SetMetadata(AUTH_RULE_KEY, rule),
    ApiBearerAuth('bearer'),
    ApiUnauthorizedResponse({ description: 'Missing, expired or invalid access token' }),
  ];
  if (who.length) decorators.push(ApiForbiddenResponse({ description: `Allowed: ${who.join(', ')}` }));
  if (rule.institute) decorators.push(ApiNotFoundResponse({ description: 'Unknown institute, or one where the caller is not a member' }));
  return applyDecorators(...decorators);
}
