export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
export const REFRESH_TOKEN_TTL_MS = 30 * 24 * 3600 * 1000;
export const VERIFY_EMAIL_TTL_MS = 24 * 3600 * 1000;
export const RESET_PASSWORD_TTL_MS = 3600 * 1000;
/** Longer than a reset: a student may open the welcome email days after the import. */
export const SET_PASSWORD_TTL_MS = 7 * 24 * 3600 * 1000;
export const JWT_ISSUER = 'oktonine';
export const JWT_AUDIENCE = 'oktonine-api';
export const ACCESS_TOKEN_TYPE = 'access';
/** The queue dashboard's cookie: a JWT of its own audience and type, never accepted as an access token. */
export const DASHBOARD_AUDIENCE = 'oktonine-dashboard';
export const DASHBOARD_TOKEN_TYPE = 'dashboard';
export const DASHBOARD_SESSION_TTL_SECONDS = 15 * 60;
export const LOCKOUT_THRESHOLD = 10;
export const LOCKOUT_MS = 15 * 60 * 1000;

/**
 * A password-reset or verification email asked for by address. Queued whether
 * or not the address has an account (`userId` null then), so the request takes
 * the same time either way; the job decides. `requestId` makes its mail unique.
 */
export const ACCOUNT_EMAIL_JOB = 'auth.account-email';
export interface AccountEmailJob {
  requestId: string;
  userId: string | null;
  kind: 'reset-password' | 'verify-email';
  ip: string | null;
}

declare module '../jobs/job-payloads' {
  interface JobPayloads {
    [ACCOUNT_EMAIL_JOB]: AccountEmailJob;
  }
}
