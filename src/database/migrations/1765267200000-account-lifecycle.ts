import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';
import { datetime } from '../schema-helpers';

/**
 * Staff disable accounts (`disabledAt`: sign-in refused, tokens refused), and an
 * invitation is resent at most once a minute per person (`invitationSentAt`,
 * claimed by a conditional UPDATE so two clicks cannot both send). Staff list
 * every institute, newest first.
 */
export class AccountLifecycle1765267200000 implements MigrationInterface {
  name = 'AccountLifecycle1765267200000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.addColumn('users', new TableColumn(datetime('disabledAt')));
    await qr.addColumn('users', new TableColumn(datetime('invitationSentAt')));
    // The staff list of institutes pages newest first.
    await qr.createIndex('institutes', new TableIndex({ name: 'IDX_institutes_created', columnNames: ['createdAt', 'id'] }));
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropIndex('institutes', 'IDX_institutes_created');
    await qr.dropColumn('users', 'invitationSentAt');
    await qr.dropColumn('users', 'disabledAt');
  }
}
