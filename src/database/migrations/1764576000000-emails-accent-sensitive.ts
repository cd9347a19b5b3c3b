import { MigrationInterface, QueryRunner } from 'typeorm';
import { isMysql } from '../schema-helpers';

const PAGE = 5000;

/** Frozen copy of src/users/email.ts at the time of this migration (migrations never follow app code). */
const normalize = (email: string) => email.trim().normalize('NFC').toLowerCase();

/**
 * `users.email` was compared with utf8mb4_unicode_ci: `josé@…` and `jose@…` were
 * one address to the database and two to the code, so imports dropped rows and
 * one could sign in as the other. Emails are now stored normalised (NFC, lower
 * case) and compared byte for byte (utf8mb4_bin). SQLite compares bytes already.
 *
 * The other unique text columns keep their collation on purpose:
 * `companies.normalizedName` and `institute_name_words.word` are folded names
 * (accents and case removed by design, so "Acme" and "ACMÉ" are one company), and
 * the token hashes are lower-case hex digests we compute ourselves.
 */
export class EmailsAccentSensitive1764576000000 implements MigrationInterface {
  name = 'EmailsAccentSensitive1764576000000';

  async up(qr: QueryRunner): Promise<void> {
    // Under the old collation two rows could never differ only by case or accents, so
    // normalising cannot collide; checked anyway so a hand-edited database fails clearly.
    const seen = new Map<string, string>();
    for (let after = ''; ;) {
      const rows = (await qr.query(`SELECT id, email FROM users WHERE id > ? ORDER BY id LIMIT ${PAGE}`, [after])) as Array<{ id: string; email: string }>;
      if (!rows.length) break;
      for (const { id, email } of rows) {
        const key = normalize(email);
        const other = seen.get(key);
        if (other) throw new Error(`users ${other} and ${id} have the same normalised email ${key}: merge them before migrating`);
        seen.set(key, id);
        if (key !== email) await qr.query('UPDATE users SET email = ? WHERE id = ?', [key, id]);
      }
      after = rows[rows.length - 1].id;
    }
    if (isMysql(qr)) {
      await qr.query('ALTER TABLE users MODIFY email VARCHAR(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL');
    }
  }

  async down(qr: QueryRunner): Promise<void> {
    // Fails (duplicate key) once accent variants of one address both have accounts: that is the point of up().
    if (isMysql(qr)) {
      await qr.query('ALTER TABLE users MODIFY email VARCHAR(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL');
    }
  }
}
