import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * A members search (`GET /institutes/:id/members?search=`) finds the matching
 * accounts first, then each one's membership in the institute and its
 * `createdAt` for the newest-first page: with this index that is one index
 * entry per match, not a membership row. Its keys lead with the (time-ordered)
 * user id, so imports append to it.
 */
export class MemberSearchIndex1765612800000 implements MigrationInterface {
  name = 'MemberSearchIndex1765612800000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.createIndex(
      'memberships',
      new TableIndex({ name: 'IDX_memberships_user_institute_created', columnNames: ['userId', 'instituteId', 'createdAt'] }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropIndex('memberships', 'IDX_memberships_user_institute_created');
  }
}
