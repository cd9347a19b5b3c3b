/**
 * Every machine `code` the API answers, with its HTTP status and what it means.
 * The OpenAPI document is built from this list: each operation's error
 * responses carry the `code` values it can answer as an enum, so a generated
 * client can switch on `error.code` without a cast.
 *
 * How a route adopts the contract (see README "The OpenAPI document"):
 *   1. `@ApiOperation({ operationId: 'camelCaseVerbNoun', summary })` on the handler;
 *      `@ApiTags(tag)` on the controller, the tag listed in `API_TAGS` (src/openapi.ts).
 *   2. `@ApiErrors('CODE', …)` on the handler (or the controller) for the codes its
 *      services throw; the codes every route shares are added by `finishDocument()`
 *      from the route itself: 400 VALIDATION_FAILED when it takes parameters or a body,
 *      401 unless `@Public()`, 403/404 from its `@Auth()` rule, 500 and 503 everywhere.
 *   3. A new code: add it here first (a spec fails on a thrown code missing from this list).
 *   4. `npm run openapi:types` to regenerate test/contract/openapi.d.ts.
 */
export const ERROR_CODES = {
  // Requests the server cannot read
  VALIDATION_FAILED: { status: 400, description: 'A body field, query or path parameter is invalid or unknown; `details` lists `[{ field, message }]`' },
  MALFORMED_JSON: { status: 400, description: 'The body is not valid JSON (or nested too deep)' },
  MALFORMED_MULTIPART: { status: 400, description: 'The multipart form is broken, or its file is not in the field `file`' },
  BAD_REQUEST: { status: 400, description: 'The request could not be processed' },
  INVALID_FILE: { status: 400, description: 'The upload is not an .xlsx, .ods or .csv file, is damaged, or expands too much' },
  INVALID_HEADER: { status: 400, description: 'No sheet has the required columns in its first rows; the message names the sheets and rows looked at' },
  TOO_MANY_ROWS: { status: 400, description: 'The file has more rows than IMPORT_MAX_ROWS (the message states the limit)' },
  NO_ROWS: { status: 400, description: 'The file has a header but no data row' },

  // Authentication
  UNAUTHORIZED: { status: 401, description: 'A valid access token is required' },
  TOKEN_EXPIRED: { status: 401, description: 'The access token has expired: refresh it' },
  INVALID_CREDENTIALS: { status: 401, description: 'Wrong email or password (the same answer for an unknown email and a locked account)' },
  INVALID_TOKEN: { status: 401, description: 'The link or one-time token is invalid, expired or already used' },
  INVALID_REFRESH_TOKEN: { status: 401, description: 'The refresh token is unknown, expired or spent (reusing a spent one revokes its family)' },

  // Single sign-on (the browser flow carries them in the redirect's `?error=`; the API answers them as 400)
  SSO_STATE_INVALID: { status: 400, description: 'This sign-in is unknown, expired or already finished' },
  SSO_REDIRECT_NOT_ALLOWED: { status: 400, description: 'redirectUri is not exactly one of the provider’s allowed redirect URIs' },
  SSO_PROVIDER_DISABLED: { status: 400, description: 'The identity provider is disabled' },
  SSO_IDP_ERROR: { status: 400, description: 'The identity provider refused or failed the sign-in' },
  SSO_IDP_UNREACHABLE: { status: 400, description: 'The identity provider’s configuration could not be read' },
  SSO_ASSERTION_INVALID: { status: 400, description: 'The ID token or SAML assertion is invalid' },
  SSO_EMAIL_DOMAIN_NOT_ALLOWED: { status: 400, description: 'The identity provider may not vouch for this email address' },
  SSO_NO_ACCOUNT: { status: 400, description: 'No account for this person, and the provider creates none' },

  // Authorisation
  FORBIDDEN: { status: 403, description: 'The caller’s role does not allow this' },
  MEMBERSHIP_PENDING: { status: 403, description: 'The caller’s membership of this institute waits for a manager’s validation' },
  ROLE_NOT_ALLOWED: { status: 403, description: 'The caller may not give this role (a teacher attaches students only)' },
  EMAIL_NOT_VERIFIED: { status: 403, description: 'Correct password, but the self-registered account has not verified its email' },
  ACCOUNT_DISABLED: { status: 403, description: 'The account is disabled by staff' },
  CROSS_SITE_REQUEST: { status: 403, description: 'A dashboard action that did not come from the dashboard' },

  // Not found (also what a resource of another tenant answers)
  NOT_FOUND: { status: 404, description: 'Not found' },
  ROUTE_NOT_FOUND: { status: 404, description: 'No such route' },
  INSTITUTE_NOT_FOUND: { status: 404, description: 'No such institute, or one where the caller is not a member' },
  USER_NOT_FOUND: { status: 404, description: 'No such user, or one the caller may not see' },
  MEMBER_NOT_FOUND: { status: 404, description: 'This user is not a member of this institute' },
  IMPORT_NOT_FOUND: { status: 404, description: 'No such import in this institute' },
  COMPANY_NOT_FOUND: { status: 404, description: 'No such company' },
  PROFESSIONAL_NOT_FOUND: { status: 404, description: 'No such professional registration' },
  NOTIFICATION_NOT_FOUND: { status: 404, description: 'No such notification of the caller' },
  MAIL_NOT_FOUND: { status: 404, description: 'No such mail in the log' },
  SCIM_TOKEN_NOT_FOUND: { status: 404, description: 'No such SCIM token in this institute' },
  IDENTITY_PROVIDER_NOT_FOUND: { status: 404, description: 'No such identity provider (in this institute)' },
  STAFF_NOT_FOUND: { status: 404, description: 'No such staff account' },
  INSTITUTE_REQUEST_NOT_FOUND: { status: 404, description: 'No such institute registration request' },

  METHOD_NOT_ALLOWED: { status: 405, description: 'The route does not answer this method' },
  REQUEST_TIMEOUT: { status: 408, description: 'The request was not received in time' },

  // Conflicts
  CONFLICT: { status: 409, description: 'The request conflicts with the current state' },
  EMAIL_TAKEN: { status: 409, description: 'An account with this email exists' },
  ALREADY_MEMBER: { status: 409, description: 'The user is already a member of this institute' },
  LAST_MANAGER: { status: 409, description: 'The institute would be left without an active manager' },
  NOT_PENDING: { status: 409, description: 'The membership or registration is not pending (already decided)' },
  COMPANY_EXISTS: { status: 409, description: 'A company whose name folds to the same name exists' },
  MAIL_NOT_FAILED: { status: 409, description: 'Only a failed mail can be retried' },
  EXTERNAL_ID_TAKEN: { status: 409, description: 'Another member of this institute has this externalId' },
  GROUP_NAME_TAKEN: { status: 409, description: 'Another group of this institute has this name' },
  LAST_STAFF: { status: 409, description: 'The platform would be left without staff' },
  INSTITUTE_EXISTS: {
    status: 409,
    description: 'An institute with the same folded name and city exists (`details.existingId`); send allowDuplicate: true to create it anyway',
  },
  REQUESTER_NOT_VERIFIED: { status: 409, description: 'The requester has not verified their email yet' },
  MEMBER_NOT_ACTIVE: { status: 409, description: 'The membership is not active' },
  REPORT_EXPIRED: { status: 410, description: 'The import’s rows were purged after IMPORT_RETENTION_DAYS' },

  FILE_TOO_LARGE: { status: 413, description: 'The upload is larger than IMPORT_MAX_BYTES (the message states the limit)' },
  PAYLOAD_TOO_LARGE: { status: 413, description: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, description: 'The body’s Content-Type is not one this route reads' },
  UNPROCESSABLE_ENTITY: { status: 422, description: 'The request is well-formed but cannot be processed' },
  TOO_MANY_REQUESTS: { status: 429, description: 'Too many requests from this address: retry after the Retry-After delay (seconds)' },
  INVITATION_RECENTLY_SENT: { status: 429, description: 'An invitation was sent to this member less than a minute ago (Retry-After)' },
  HEADERS_TOO_LARGE: { status: 431, description: 'The request headers are too large' },

  INTERNAL_ERROR: { status: 500, description: 'Unexpected error (logged with the request id)' },
  SSO_NOT_CONFIGURED: { status: 503, description: 'SSO_SECRET_KEY is not set: identity providers’ secrets cannot be stored or read' },
  SERVICE_UNAVAILABLE: { status: 503, description: 'A service the request needs (Redis) is unavailable: retry after the Retry-After delay' },
  NOT_READY: { status: 503, description: 'The database or Redis does not answer; `details` has each check' },
  DASHBOARD_SESSION_REQUIRED: { status: 401, description: 'Sign in at /admin/sign-in to open the queue dashboard' },
} as const satisfies Record<string, { status: number; description: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.prototype.hasOwnProperty.call(ERROR_CODES, code);
}
