import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Loads `.env` from the working directory into process.env for the entry points
 * (API, worker, CLI), before anything reads the configuration. Variables already
 * set in the environment win. Tests never read it.
 */
export function loadDotEnv(): void {
  const file = resolve(process.cwd(), '.env');
  if (process.env.NODE_ENV !== 'test' && existsSync(file)) process.loadEnvFile(file);
}
