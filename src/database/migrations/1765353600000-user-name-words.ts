import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { nameWordsOf } from '../../users/name-words';
import { fk, uuidRef, varchar } from '../schema-helpers';

const PAGE = 2000;

/**
 * The people directory (`GET /api/users?search=`) matches every typed word as
 * the prefix of a word of the person's names, like the institute typeahead:
 * one row per folded word, read through the (word, userId) index, so the cost
 * follows the matches. Existing accounts are indexed here.
 */
export class UserNameWords1765353600000 implements MigrationInterface {
  name = 'UserNameWords1765353600000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.createTable(
      new Table({
        name: 'user_name_words',
        columns: [
          { ...uuidRef('userId'), isPrimary: true },
          { ...varchar('word', 100), isPrimary: true },
        ],
        indices: [{ name: 'IDX_user_name_words_word', columnNames: ['word', 'userId'] }],
        foreignKeys: [fk('user_name_words', 'userId', 'users')],
      }),
    );
    for (let after = ''; ;) {
      const rows = (await qr.query(`SELECT id, firstName, lastName FROM users WHERE id > ? ORDER BY id LIMIT ${PAGE}`, [after])) as Array<{
        id: string;
        firstName: string;
        lastName: string;
      }>;
      if (!rows.length) break;
      const values = rows.flatMap((u) => nameWordsOf(u.firstName, u.lastName).map((word) => [u.id, word]));
      for (let i = 0; i < values.length; i += 500) {
        const chunk = values.slice(i, i + 500);
        await qr.query(`INSERT INTO user_name_words (userId, word) VALUES ${chunk.map(() => '(?, ?)').join(', ')}`, chunk.flat());
      }
      after = rows[rows.length - 1].id;
    }
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropTable('user_name_words', true);
  }
}
