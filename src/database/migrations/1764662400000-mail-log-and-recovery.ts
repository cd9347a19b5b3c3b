import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';
import { boolColumn, datetime, fk, idColumn, intColumn, textColumn, timestamps, uuidRef, varchar } from '../schema-helpers';

/**
 * Work the database knows about, so losing Redis loses nothing:
 *  - `mail_log`: every email, recorded when queued (never a token or password),
 *    marked sent before its job is acknowledged, so a redelivered job skips it;
 *  - `registration_requests`: a self-registration waiting for its job (the job
 *    decides what to do, so the request path is the same whoever registers);
 *  - `import_chunks.mailed`: the chunk's welcome mails were recorded;
 *  - indexes the recovery sweep reads.
 */
export class MailLogAndRecovery1764662400000 implements MigrationInterface {
  name = 'MailLogAndRecovery1764662400000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.createTable(
      new Table({
        name: 'mail_log',
        columns: [
          idColumn(),
          varchar('dedupeKey', 191, { isNullable: true }),
          uuidRef('userId', true),
          varchar('recipient', 254, { isNullable: true }),
          varchar('template', 64),
          varchar('locale', 8, { isNullable: true }),
          textColumn(qr, 'context'),
          varchar('status', 16, { default: "'queued'" }),
          intColumn('attempts'),
          varchar('lastError', 500, { isNullable: true }),
          varchar('aboutType', 32, { isNullable: true }),
          uuidRef('aboutId', true),
          uuidRef('instituteId', true),
          datetime('sentAt'),
          ...timestamps(qr),
        ],
        indices: [
          { name: 'UQ_mail_log_dedupe', columnNames: ['dedupeKey'], isUnique: true },
          { name: 'IDX_mail_log_status_updated', columnNames: ['status', 'updatedAt'] },
          { name: 'IDX_mail_log_recipient_created', columnNames: ['recipient', 'createdAt'] },
          { name: 'IDX_mail_log_institute_created', columnNames: ['instituteId', 'createdAt'] },
          { name: 'IDX_mail_log_user', columnNames: ['userId'] },
        ],
        foreignKeys: [fk('mail_log', 'userId', 'users', 'SET NULL')],
      }),
    );

    await qr.createTable(
      new Table({
        name: 'registration_requests',
        columns: [
          idColumn(),
          varchar('kind', 16),
          varchar('email', 254),
          varchar('firstName', 100),
          varchar('lastName', 100),
          varchar('passwordHash', 255),
          varchar('locale', 8),
          uuidRef('instituteId', true),
          uuidRef('companyId', true),
          varchar('companyName', 200, { isNullable: true }),
          varchar('ip', 64, { isNullable: true }),
          ...timestamps(qr, false),
        ],
        indices: [{ name: 'IDX_registration_requests_created', columnNames: ['createdAt'] }],
      }),
    );

    await qr.addColumn('import_chunks', new TableColumn(boolColumn('mailed')));
    // Batches that ended before this migration queued their welcome mails already: the
    // recovery sweep must not send them again.
    await qr.query(`UPDATE import_chunks SET mailed = 1 WHERE batchId IN (SELECT id FROM import_batches WHERE status IN ('completed', 'failed'))`);
    await qr.createIndex('import_batches', new TableIndex({ name: 'IDX_import_batches_status_created', columnNames: ['status', 'createdAt'] }));
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropIndex('import_batches', 'IDX_import_batches_status_created');
    await qr.dropColumn('import_chunks', 'mailed');
    await qr.dropTable('registration_requests', true);
    await qr.dropTable('mail_log', true);
  }
}
