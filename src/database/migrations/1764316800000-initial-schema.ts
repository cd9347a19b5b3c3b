import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { boolColumn, datetime, fk, idColumn, intColumn, textColumn, timestamps, uuidRef, varchar } from '../schema-helpers';

/** The domain tables, with their unique rules and foreign keys in the database. */
export class InitialSchema1764316800000 implements MigrationInterface {
  name = 'InitialSchema1764316800000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.createTable(
      new Table({
        name: 'users',
        columns: [
          idColumn(),
          varchar('email', 254),
          varchar('firstName', 100),
          varchar('lastName', 100),
          varchar('passwordHash', 255, { isNullable: true }),
          datetime('emailVerifiedAt'),
          boolColumn('isStaff'),
          varchar('locale', 8, { default: "'en'" }),
          uuidRef('createdById', true),
          intColumn('failedLoginCount'),
          datetime('lockedUntil'),
          intColumn('tokenVersion'),
          ...timestamps(qr),
        ],
        indices: [
          { name: 'UQ_users_email', columnNames: ['email'], isUnique: true },
          { name: 'IDX_users_staff', columnNames: ['isStaff'] },
        ],
        foreignKeys: [fk('users', 'createdById', 'users', 'SET NULL')],
      }),
    );

    await qr.createTable(
      new Table({
        name: 'institutes',
        columns: [
          idColumn(),
          varchar('name', 200),
          varchar('searchName', 200),
          varchar('city', 100, { isNullable: true }),
          varchar('country', 100, { isNullable: true }),
          varchar('status', 16, { default: "'active'" }),
          ...timestamps(qr),
        ],
        indices: [{ name: 'IDX_institutes_status_search', columnNames: ['status', 'searchName'] }],
      }),
    );

    await qr.createTable(
      new Table({
        name: 'companies',
        columns: [
          idColumn(),
          varchar('name', 200),
          varchar('normalizedName', 200),
          varchar('status', 16, { default: "'pending'" }),
          uuidRef('createdById', true),
          ...timestamps(qr),
        ],
        indices: [
          { name: 'UQ_companies_normalized_name', columnNames: ['normalizedName'], isUnique: true },
          { name: 'IDX_companies_status_name', columnNames: ['status', 'normalizedName'] },
        ],
        foreignKeys: [fk('companies', 'createdById', 'users', 'SET NULL')],
      }),
    );

    await qr.createTable(
      new Table({
        name: 'memberships',
        columns: [
          idColumn(),
          uuidRef('userId'),
          uuidRef('instituteId'),
          varchar('role', 16),
          varchar('status', 16),
          varchar('groupName', 100, { isNullable: true }),
          varchar('department', 100, { isNullable: true }),
          uuidRef('createdById', true),
          uuidRef('validatedById', true),
          datetime('validatedAt'),
          varchar('rejectionReason', 500, { isNullable: true }),
          ...timestamps(qr),
        ],
        indices: [
          { name: 'UQ_memberships_user_institute', columnNames: ['userId', 'instituteId'], isUnique: true },
          { name: 'IDX_memberships_institute_role_status', columnNames: ['instituteId', 'role', 'status'] },
        ],
        foreignKeys: [
          fk('memberships', 'userId', 'users'),
          fk('memberships', 'instituteId', 'institutes'),
          fk('memberships', 'createdById', 'users', 'SET NULL'),
          fk('memberships', 'validatedById', 'users', 'SET NULL'),
        ],
      }),
    );

    await qr.createTable(
      new Table({
        name: 'company_affiliations',
        columns: [
          idColumn(),
          uuidRef('userId'),
          uuidRef('companyId'),
          varchar('status', 16, { default: "'pending'" }),
          datetime('submittedAt', false),
          uuidRef('decidedById', true),
          datetime('decidedAt'),
          varchar('reason', 500, { isNullable: true }),
          intColumn('reminderStage'),
          ...timestamps(qr),
        ],
        indices: [
          { name: 'UQ_company_affiliations_user', columnNames: ['userId'], isUnique: true },
          { name: 'IDX_company_affiliations_status_submitted', columnNames: ['status', 'submittedAt'] },
          { name: 'IDX_company_affiliations_company', columnNames: ['companyId'] },
        ],
        foreignKeys: [
          fk('company_affiliations', 'userId', 'users'),
          fk('company_affiliations', 'companyId', 'companies'),
          fk('company_affiliations', 'decidedById', 'users', 'SET NULL'),
        ],
      }),
    );

    await qr.createTable(
      new Table({
        name: 'one_time_tokens',
        columns: [
          idColumn(),
          uuidRef('userId'),
          varchar('purpose', 32),
          { name: 'tokenHash', type: 'varchar', length: '64', isNullable: false },
          datetime('expiresAt', false),
          datetime('usedAt'),
          ...timestamps(qr, false),
        ],
        indices: [
          { name: 'UQ_one_time_tokens_hash', columnNames: ['tokenHash'], isUnique: true },
          { name: 'IDX_one_time_tokens_user_purpose', columnNames: ['userId', 'purpose'] },
        ],
        foreignKeys: [fk('one_time_tokens', 'userId', 'users')],
      }),
    );

    await qr.createTable(
      new Table({
        name: 'refresh_tokens',
        columns: [
          idColumn(),
          uuidRef('userId'),
          uuidRef('familyId'),
          { name: 'tokenHash', type: 'varchar', length: '64', isNullable: false },
          datetime('expiresAt', false),
          datetime('usedAt'),
          datetime('revokedAt'),
          ...timestamps(qr, false),
        ],
        indices: [
          { name: 'UQ_refresh_tokens_hash', columnNames: ['tokenHash'], isUnique: true },
          { name: 'IDX_refresh_tokens_family', columnNames: ['familyId'] },
          { name: 'IDX_refresh_tokens_user', columnNames: ['userId'] },
        ],
        foreignKeys: [fk('refresh_tokens', 'userId', 'users')],
      }),
    );

    await qr.createTable(
      new Table({
        name: 'notifications',
        columns: [
          idColumn(),
          uuidRef('userId'),
          varchar('type', 64),
          varchar('title', 300),
          textColumn(qr, 'data'),
          datetime('readAt'),
          ...timestamps(qr, false),
        ],
        indices: [{ name: 'IDX_notifications_user_created', columnNames: ['userId', 'createdAt'] }],
        foreignKeys: [fk('notifications', 'userId', 'users')],
      }),
    );

    await qr.createTable(
      new Table({
        name: 'audit_entries',
        columns: [
          idColumn(),
          uuidRef('actorId', true),
          varchar('action', 64),
          varchar('targetType', 32, { isNullable: true }),
          uuidRef('targetId', true),
          uuidRef('instituteId', true),
          varchar('ip', 64, { isNullable: true }),
          textColumn(qr, 'details'),
          ...timestamps(qr, false),
        ],
        indices: [
          { name: 'IDX_audit_entries_institute_created', columnNames: ['instituteId', 'createdAt'] },
          { name: 'IDX_audit_entries_action_created', columnNames: ['action', 'createdAt'] },
          { name: 'IDX_audit_entries_created', columnNames: ['createdAt'] },
        ],
      }),
    );

    await qr.createTable(
      new Table({
        name: 'import_batches',
        columns: [
          idColumn(),
          uuidRef('instituteId'),
          uuidRef('uploadedById', true),
          varchar('status', 16, { default: "'queued'" }),
          boolColumn('dryRun'),
          varchar('fileName', 255),
          { name: 'fileSha256', type: 'varchar', length: '64', isNullable: false },
          intColumn('total'),
          intColumn('processed'),
          intColumn('created'),
          intColumn('attached'),
          intColumn('skipped'),
          intColumn('failed'),
          varchar('failureReason', 500, { isNullable: true }),
          datetime('startedAt'),
          datetime('finishedAt'),
          ...timestamps(qr),
        ],
        indices: [
          { name: 'IDX_import_batches_institute_created', columnNames: ['instituteId', 'createdAt'] },
          { name: 'IDX_import_batches_institute_sha', columnNames: ['instituteId', 'fileSha256'] },
        ],
        foreignKeys: [fk('import_batches', 'instituteId', 'institutes'), fk('import_batches', 'uploadedById', 'users', 'SET NULL')],
      }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    for (const table of [
      'import_batches',
      'audit_entries',
      'notifications',
      'refresh_tokens',
      'one_time_tokens',
      'company_affiliations',
      'memberships',
      'companies',
      'institutes',
      'users',
    ]) {
      await qr.dropTable(table, true);
    }
  }
}
