import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * The staff mail log (`GET /api/admin/mail`) lists newest first, optionally by
 * status: both read an index range from the cursor instead of sorting the table.
 */
export class MailLogListing1765180800000 implements MigrationInterface {
  name = 'MailLogListing1765180800000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.createIndex('mail_log', new TableIndex({ name: 'IDX_mail_log_created', columnNames: ['createdAt', 'id'] }));
    await qr.createIndex('mail_log', new TableIndex({ name: 'IDX_mail_log_status_created', columnNames: ['status', 'createdAt', 'id'] }));
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropIndex('mail_log', 'IDX_mail_log_status_created');
    await qr.dropIndex('mail_log', 'IDX_mail_log_created');
  }
}
