import { Logger } from '@nestjs/common';
import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';
import { foldText } from '../../common/text';
import { normalizeCompanyName } from '../../companies/company-name';
import { nameWords } from '../../institutes/institutes.service';
import { foldName } from '../../users/email';
import { varchar } from '../schema-helpers';

const PAGE = 2000;

/**
 * foldText now spells out œ æ ß ø ł đ þ ("Cœur" is found by "coeur"): every
 * folded key is computed again. A re-index applies the rules of the version that
 * runs it (on a fresh database it has nothing to do), so it calls the app's own
 * folding functions. Member search gets folded name columns of its own, in place
 * of the indexes on the raw names, so accents and ligatures fold there too.
 */
export class FoldedNames1764748800000 implements MigrationInterface {
  name = 'FoldedNames1764748800000';
  private readonly logger = new Logger('Migration');

  async up(qr: QueryRunner): Promise<void> {
    await qr.addColumn('users', new TableColumn(varchar('foldedFirstName', 100, { default: "''" })));
    await qr.addColumn('users', new TableColumn(varchar('foldedLastName', 100, { default: "''" })));
    await this.pages(qr, 'SELECT id, firstName, lastName FROM users', async (rows: Array<{ id: string; firstName: string; lastName: string }>) => {
      for (const u of rows)
        await qr.query('UPDATE users SET foldedFirstName = ?, foldedLastName = ? WHERE id = ?', [foldName(u.firstName), foldName(u.lastName), u.id]);
    });
    await qr.dropIndex('users', 'IDX_users_last_name');
    await qr.dropIndex('users', 'IDX_users_first_name');
    await qr.createIndex('users', new TableIndex({ name: 'IDX_users_folded_last_name', columnNames: ['foldedLastName'] }));
    await qr.createIndex('users', new TableIndex({ name: 'IDX_users_folded_first_name', columnNames: ['foldedFirstName'] }));

    await this.pages(qr, 'SELECT id, name FROM institutes', async (rows: Array<{ id: string; name: string }>) => {
      for (const i of rows) {
        await qr.query('UPDATE institutes SET searchName = ? WHERE id = ?', [foldText(i.name).slice(0, 200), i.id]);
        await qr.query('DELETE FROM institute_name_words WHERE instituteId = ?', [i.id]);
        for (const word of nameWords(i.name)) await qr.query('INSERT INTO institute_name_words (instituteId, word) VALUES (?, ?)', [i.id, word]);
      }
    });

    // Two companies may now fold to one key. The one already holding it (else the first) keeps it;
    // the other keeps its old key until staff fold it into the first (approve with companyId), and
    // both are named in the log. Keys move through a temporary value, so two rows may swap keys.
    const companies = (await qr.query('SELECT id, name, normalizedName FROM companies ORDER BY id')) as Array<{
      id: string;
      name: string;
      normalizedName: string;
    }>;
    const groups = new Map<string, Array<{ id: string; name: string; normalizedName: string }>>();
    for (const c of companies) {
      const key = normalizeCompanyName(c.name);
      groups.set(key, [...(groups.get(key) ?? []), c]);
    }
    const moves: Array<{ id: string; key: string }> = [];
    for (const [key, group] of groups) {
      const winner = group.find((c) => c.normalizedName === key) ?? group[0];
      if (winner.normalizedName !== key) moves.push({ id: winner.id, key });
      for (const other of group.filter((c) => c !== winner)) {
        this.logger.warn(`Companies "${winner.name}" (${winner.id}) and "${other.name}" (${other.id}) now fold to "${key}": fold one into the other`);
      }
    }
    for (const m of moves) await qr.query('UPDATE companies SET normalizedName = ? WHERE id = ?', [`~${m.id}`, m.id]);
    for (const m of moves) await qr.query('UPDATE companies SET normalizedName = ? WHERE id = ?', [m.key, m.id]);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropIndex('users', 'IDX_users_folded_first_name');
    await qr.dropIndex('users', 'IDX_users_folded_last_name');
    await qr.createIndex('users', new TableIndex({ name: 'IDX_users_last_name', columnNames: ['lastName'] }));
    await qr.createIndex('users', new TableIndex({ name: 'IDX_users_first_name', columnNames: ['firstName'] }));
    await qr.dropColumn('users', 'foldedLastName');
    await qr.dropColumn('users', 'foldedFirstName');
  }

  /** Runs `each` over the rows of `select`, ordered by id, a page at a time. */
  private async pages<T extends { id: string }>(qr: QueryRunner, select: string, each: (rows: T[]) => Promise<void>): Promise<void> {
    for (let after = ''; ;) {
      const rows = (await qr.query(`${select} WHERE id > ? ORDER BY id LIMIT ${PAGE}`, [after])) as T[];
      if (!rows.length) return;
      await each(rows);
      after = rows[rows.length - 1].id;
    }
  }
}
