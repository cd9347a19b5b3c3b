import { MigrationInterface, QueryRunner, Table, TableColumn, TableColumnOptions, TableIndex } from 'typeorm';
import { datetime, fk, idColumn, isMysql, timestamps, uuidRef, varchar } from '../schema-helpers';

/** Directory identifiers are opaque and case-sensitive (RFC 7643 `externalId`: caseExact). */
function externalIdColumn(qr: QueryRunner): TableColumnOptions {
  return varchar('externalId', 255, { isNullable: true, ...(isMysql(qr) ? { charset: 'utf8mb4', collation: 'utf8mb4_bin' } : {}) });
}

/**
 * SCIM provisioning:
 *  - `scim_tokens`: an institute's bearer tokens for its directory, stored as SHA-256 only;
 *  - `scim_groups`: the directory's groups, each naming a class (`memberships.groupName`);
 *  - `memberships.externalId`: the person's id in the institute's directory, unique per institute;
 *  - an index for "the members of one class".
 */
export class ScimProvisioning1765008000000 implements MigrationInterface {
  name = 'ScimProvisioning1765008000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.createTable(
      new Table({
        name: 'scim_tokens',
        columns: [
          idColumn(),
          uuidRef('instituteId'),
          varchar('name', 100),
          varchar('tokenHash', 64),
          uuidRef('createdById', true),
          datetime('lastUsedAt'),
          datetime('revokedAt'),
          ...timestamps(qr),
        ],
        indices: [
          { name: 'UQ_scim_tokens_hash', columnNames: ['tokenHash'], isUnique: true },
          { name: 'IDX_scim_tokens_institute_created', columnNames: ['instituteId', 'createdAt'] },
        ],
        foreignKeys: [fk('scim_tokens', 'instituteId', 'institutes'), fk('scim_tokens', 'createdById', 'users', 'SET NULL')],
      }),
    );

    await qr.createTable(
      new Table({
        name: 'scim_groups',
        columns: [idColumn(), uuidRef('instituteId'), varchar('displayName', 100), externalIdColumn(qr), ...timestamps(qr)],
        indices: [
          { name: 'UQ_scim_groups_institute_name', columnNames: ['instituteId', 'displayName'], isUnique: true },
          { name: 'UQ_scim_groups_institute_external', columnNames: ['instituteId', 'externalId'], isUnique: true },
        ],
        foreignKeys: [fk('scim_groups', 'instituteId', 'institutes')],
      }),
    );

    await qr.addColumn('memberships', new TableColumn(externalIdColumn(qr)));
    await qr.createIndex(
      'memberships',
      new TableIndex({ name: 'UQ_memberships_institute_external', columnNames: ['instituteId', 'externalId'], isUnique: true }),
    );
    await qr.createIndex('memberships', new TableIndex({ name: 'IDX_memberships_institute_group', columnNames: ['instituteId', 'groupName'] }));
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropIndex('memberships', 'IDX_memberships_institute_group');
    await qr.dropIndex('memberships', 'UQ_memberships_institute_external');
    await qr.dropColumn('memberships', 'externalId');
    // Suspended memberships stay as they are: code before this migration lets only `active` ones act.
    await qr.dropTable('scim_groups', true);
    await qr.dropTable('scim_tokens', true);
  }
}
