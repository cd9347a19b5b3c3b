import { MigrationInterface, QueryRunner } from 'typeorm';
import { isMysql } from '../schema-helpers';

const PAGE = 5000;

/** The first word of a folded name column (words are separated by single spaces). */
const firstWord = (qr: QueryRunner, column: string) =>
  isMysql(qr) ? `SUBSTRING_INDEX(${column}, ' ', 1)` : `substr(${column}, 1, instr(${column} || ' ', ' ') - 1)`;

/**
 * `user_name_words` keeps only the words its index alone can reach: every word
 * of a name but its first, which starts the folded name column and is found
 * through that column's index (src/users/name-words.ts). The directory reads
 * both. Most people's names are one word each, so most accounts lose their rows
 * here and an import writes none for them. Done a page of accounts at a time.
 */
export class NameWordsBeyondFirst1765699200000 implements MigrationInterface {
  name = 'NameWordsBeyondFirst1765699200000';

  async up(qr: QueryRunner): Promise<void> {
    const first = firstWord(qr, 'u.foldedFirstName');
    const last = firstWord(qr, 'u.foldedLastName');
    await this.byPage(qr, (from, to) =>
      isMysql(qr)
        ? qr.query(`DELETE w FROM user_name_words w JOIN users u ON u.id = w.userId WHERE u.id > ? AND u.id <= ? AND (w.word = ${first} OR w.word = ${last})`, [
            from,
            to,
          ])
        : qr.query(
            `DELETE FROM user_name_words WHERE userId > ? AND userId <= ? AND EXISTS ` +
              `(SELECT 1 FROM users u WHERE u.id = user_name_words.userId AND (user_name_words.word = ${first} OR user_name_words.word = ${last}))`,
            [from, to],
          ),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    const insert = isMysql(qr) ? 'INSERT INTO' : 'INSERT OR IGNORE INTO';
    const onDuplicate = isMysql(qr) ? ' ON DUPLICATE KEY UPDATE user_name_words.word = user_name_words.word' : '';
    const words = `SELECT u.id AS userId, ${firstWord(qr, 'u.foldedFirstName')} AS word FROM users u WHERE u.id > ? AND u.id <= ? UNION SELECT u.id, ${firstWord(qr, 'u.foldedLastName')} FROM users u WHERE u.id > ? AND u.id <= ?`;
    await this.byPage(qr, (from, to) =>
      qr.query(`${insert} user_name_words (userId, word) SELECT userId, word FROM (${words}) f WHERE word <> ''${onDuplicate}`, [from, to, from, to]),
    );
  }

  /** Runs `step` over the accounts a page of ids at a time: (from, to]. */
  private async byPage(qr: QueryRunner, step: (from: string, to: string) => Promise<unknown>): Promise<void> {
    for (let from = ''; ;) {
      const ids = (await qr.query(`SELECT id FROM users WHERE id > ? ORDER BY id LIMIT ${PAGE}`, [from])) as Array<{ id: string }>;
      if (!ids.length) return;
      const to = ids[ids.length - 1].id;
      await step(from, to);
      from = to;
    }
  }
}
