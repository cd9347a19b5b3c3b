/** The languages of emails and of the API's messages to people. */
export const SUPPORTED_LOCALES = ['en', 'fr'] as const;
export type Locale = (typeof SUPPORTED_LOCALES)[number];

export function toLocale(value: string | null | undefined): Locale {
  const base = (value ?? '').toLowerCase().slice(0, 2);
  return (SUPPORTED_LOCALES as readonly string[]).includes(base) ? (base as Locale) : 'en';
}
