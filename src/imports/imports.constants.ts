/** One chunk of an import's valid rows: one transaction, set-based. Payload: ids only. */
export const IMPORT_CHUNK_JOB = 'imports.chunk';
export interface ImportChunkJob {
  batchId: string;
  chunk: number;
}

/** The welcome emails of a processed chunk, fanned out to one mail job per student. */
export const IMPORT_WELCOME_JOB = 'imports.welcome-mails';
export type ImportWelcomeJob = ImportChunkJob;

declare module '../jobs/job-payloads' {
  interface JobPayloads {
    [IMPORT_CHUNK_JOB]: ImportChunkJob;
    [IMPORT_WELCOME_JOB]: ImportWelcomeJob;
  }
}
