import { Logger as NestLogger } from '@nestjs/common';
import type { Logger, QueryRunner } from 'typeorm';

/**
 * Routes TypeORM's messages to the app's structured logger. Query parameters are
 * never logged: they may hold password hashes or token hashes.
 */
export class TypeOrmLogger implements Logger {
  private readonly logger = new NestLogger('Database');

  logQuery(): void {}

  logQueryError(error: string | Error, query: string, _parameters?: unknown[], _qr?: QueryRunner): void {
    const message = error instanceof Error ? error.message : error;
    // Constraint violations are expected outcomes handled by the caller (e.g. EMAIL_TAKEN): keep them at debug.
    const expected = /duplicate|unique|foreign key/i.test(message);
    this.logger[expected ? 'debug' : 'error']({ error: message, query: query.slice(0, 500) }, 'Query failed');
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn({ ms: time, query: query.slice(0, 500) }, 'Slow query');
  }

  logSchemaBuild(message: string): void {
    this.logger.debug(message);
  }

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
    else this.logger.debug(String(message));
  }
}
