import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { fk, uuidRef, varchar } from '../schema-helpers';

/** Institute name search words; member-list indexes for keyset pages. */
export class SearchAndMemberIndexes1764403200000 implements MigrationInterface {
  name = 'SearchAndMemberIndexes1764403200000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.createTable(
      new Table({
        name: 'institute_name_words',
        columns: [
          { ...uuidRef('instituteId'), isPrimary: true },
          { ...varchar('word', 100), isPrimary: true },
        ],
        indices: [{ name: 'IDX_institute_name_words_word', columnNames: ['word', 'instituteId'] }],
        foreignKeys: [fk('institute_name_words', 'instituteId', 'institutes')],
      }),
    );
    await qr.createIndex('memberships', new TableIndex({ name: 'IDX_memberships_institute_created', columnNames: ['instituteId', 'createdAt', 'id'] }));
    await qr.createIndex(
      'memberships',
      new TableIndex({ name: 'IDX_memberships_institute_role_created', columnNames: ['instituteId', 'role', 'createdAt', 'id'] }),
    );
    await qr.createIndex('users', new TableIndex({ name: 'IDX_users_last_name', columnNames: ['lastName'] }));
    await qr.createIndex('users', new TableIndex({ name: 'IDX_users_first_name', columnNames: ['firstName'] }));
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropIndex('users', 'IDX_users_first_name');
    await qr.dropIndex('users', 'IDX_users_last_name');
    await qr.dropIndex('memberships', 'IDX_memberships_institute_role_created');
    await qr.dropIndex('memberships', 'IDX_memberships_institute_created');
    await qr.dropTable('institute_name_words', true);
  }
}
