/** One chunk of an import's valid rows: one transaction, set-based. Payload: ids only. */
export const IMPORT_CHUNK_JOB = 'imports.chunk';
export interface ImportChunkJob {
  batchId: string;
  chunk: number;
}

/** The welcome emails of a processed chunk, fanned out to one mail job per student. */
export const IMPORT_WELCOME_JOB = 'imports.welcome-mails';
export type ImportWelcomeJob = ImportChunkJob;

/** Repeatable: purges the row data of batches ended IMPORT_RETENTION_DAYS ago. No payload. */
export const IMPORT_RETENTION_JOB = 'imports.retention';

declare module '../jobs/job-payloads' {
  interface JobPayloads {
    [IMPORT_CHUNK_JOB]: ImportChunkJob;
    [IMPORT_WELCOME_JOB]: ImportWelcomeJob;
    [IMPORT_RETENTION_JOB]: Record<string, never>;
  }
}
