export const MAIL_SEND_JOB = 'mail.send';

export const SUPPORTED_LOCALES = ['en', 'fr'] as const;
export type Locale = (typeof SUPPORTED_LOCALES)[number];

export function toLocale(value: string | null | undefined): Locale {
  const base = (value ?? '').toLowerCase().slice(0, 2);
  return (SUPPORTED_LOCALES as readonly string[]).includes(base) ? (base as Locale) : 'en';
}

/**
 * A message to render from `templates/<locale>/<template>.{subject,html,text}.hbs`.
 * The context travels in a job payload (Redis): it must never hold a secret;
 * mails carrying a token are composed by the job that mints the token.
 */
export interface MailMessage {
  to: string;
  template: string;
  locale?: string | null;
  context?: Record<string, unknown>;
}

/** A date as emails show it, the same in every locale: "2026-11-28 14:05 UTC". */
export function mailDate(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
