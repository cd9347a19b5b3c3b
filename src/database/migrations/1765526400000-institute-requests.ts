import { MigrationInterface, QueryRunner, Table, TableColumn } from 'typeorm';
import { datetime, fk, idColumn, timestamps, uuidRef, varchar } from '../schema-helpers';

/**
 * "If your institute is not registered, contact us": a registration may carry
 * the institute to create (its name, city, country wait in registration_requests
 * like the rest of the registration), and staff decide on institute_requests.
 */
export class InstituteRequests1765526400000 implements MigrationInterface {
  name = 'InstituteRequests1765526400000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.addColumn('registration_requests', new TableColumn(varchar('instituteName', 200, { isNullable: true })));
    await qr.addColumn('registration_requests', new TableColumn(varchar('instituteCity', 100, { isNullable: true })));
    await qr.addColumn('registration_requests', new TableColumn(varchar('instituteCountry', 100, { isNullable: true })));
    await qr.createTable(
      new Table({
        name: 'institute_requests',
        columns: [
          idColumn(),
          uuidRef('requesterId'),
          varchar('name', 200),
          varchar('searchName', 200),
          varchar('city', 100, { isNullable: true }),
          varchar('country', 100, { isNullable: true }),
          varchar('status', 16, { default: "'pending'" }),
          uuidRef('instituteId', true),
          uuidRef('decidedById', true),
          datetime('decidedAt'),
          varchar('reason', 500, { isNullable: true }),
          ...timestamps(qr),
        ],
        indices: [{ name: 'IDX_institute_requests_status_created', columnNames: ['status', 'createdAt', 'id'] }],
        foreignKeys: [
          fk('institute_requests', 'requesterId', 'users'),
          fk('institute_requests', 'instituteId', 'institutes', 'SET NULL'),
          fk('institute_requests', 'decidedById', 'users', 'SET NULL'),
        ],
      }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropTable('institute_requests', true);
    await qr.dropColumn('registration_requests', 'instituteCountry');
    await qr.dropColumn('registration_requests', 'instituteCity');
    await qr.dropColumn('registration_requests', 'instituteName');
  }
}
