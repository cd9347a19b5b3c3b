import { EntityManager } from 'typeorm';

/**
 * A membership's search keys: its account's email and folded names, copied onto
 * it so the members search reads one institute's index entries alone (migration
 * 1765785600000). They are written only here: by the bulk INSERT of an import's
 * new accounts (which knows them), and by syncMemberSearch everywhere else, in
 * the transaction that inserts the membership or changes the account.
 */
export const MEMBER_SEARCH_COLUMNS = ['searchEmail', 'searchFirstName', 'searchLastName'] as const;

const FROM_ACCOUNT = MEMBER_SEARCH_COLUMNS.map(
  (column, i) => `${column} = (SELECT u.${['email', 'foldedFirstName', 'foldedLastName'][i]} FROM users u WHERE u.id = memberships.userId)`,
).join(', ');

const PER_STATEMENT = 1000;

/**
 * Copies the account's keys onto memberships, in `em`: those with these ids
 * (just inserted), or every membership of these accounts (`by: 'userId'`, after
 * an account's email or names changed).
 */
export async function syncMemberSearch(em: EntityManager, by: 'id' | 'userId', ids: readonly string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += PER_STATEMENT) {
    const part = ids.slice(i, i + PER_STATEMENT);
    await em.query(`UPDATE memberships SET ${FROM_ACCOUNT} WHERE ${by} IN (${part.map(() => '?').join(',')})`, part);
  }
}
