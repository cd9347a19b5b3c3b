/**
 * bench/sqlite-import: the embedded default (SQLite file, in-process jobs). A
 * 10,000-row passwordless import, upload to `completed` (the batch's finishedAt),
 * in rows per second, as a ratio to a raw better-sqlite3 transaction inserting the same users
 * (folded names included) and memberships into the same tables of a database
 * migrated the same way (bar ≥ 0.5). Median of BENCH_RUNS rounds.
 *
 *   npm run bench:sqlite
 */
import Database from 'better-sqlite3';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { newId } from '../src/common/ids';
import { parseDatabaseUrl } from '../src/config/env';
import { buildDataSourceOptions } from '../src/database/data-source';
import { runMigrations } from '../src/database/migrator.service';
import { MembershipRole } from '../src/memberships/entities/membership.entity';
import { foldName } from '../src/users/email';
import { seedInstitute, seedMembership, signedIn } from '../test/support/factories';
import { createTestApp } from '../test/support/test-app';
import { Figure, median, reportWorst } from './figures';

const ROWS = Number(process.env.BENCH_ROWS ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;

function rows(label: string) {
  const tag = randomBytes(3).toString('hex');
  return Array.from({ length: ROWS }, (_, i) => ({ first: `First${i}`, last: `Last${i}`, email: `${label}.${tag}.${i}@bench.example`, group: `G${i % 30}` }));
}

const csv = (list: ReturnType<typeof rows>) =>
  Buffer.from(['First name,Last name,Email,Group,Department', ...list.map((r) => `${r.first},${r.last},${r.email},${r.group},Bench`)].join('\n'));

/** A file migrated like the app's, for the baseline; it grows round after round as the app's does. */
async function rawDatabase(dir: string): Promise<{ db: Database.Database; instituteId: string }> {
  const file = join(dir, 'raw.sqlite');
  const ds = new DataSource(buildDataSourceOptions(parseDatabaseUrl(`sqlite:${file}`)));
  await ds.initialize();
  await runMigrations(ds, { log: () => undefined });
  await ds.destroy();
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  const instituteId = randomUUID();
  db.prepare(`INSERT INTO institutes (id, name, searchName) VALUES (?, 'Raw', 'raw')`).run(instituteId);
  return { db, instituteId };
}

/** The baseline: one better-sqlite3 transaction of prepared INSERTs of the same users and memberships. */
function raw({ db, instituteId }: { db: Database.Database; instituteId: string }, list: ReturnType<typeof rows>): number {
  const user = db.prepare(
    'INSERT INTO users (id, email, firstName, lastName, foldedFirstName, foldedLastName, emailVerifiedAt, locale) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const member = db.prepare(
    "INSERT INTO memberships (id, userId, instituteId, role, status, groupName, department, searchEmail, searchFirstName, searchLastName) VALUES (?, ?, ?, 'student', 'active', ?, 'Bench', ?, ?, ?)",
  );
  const t0 = process.hrtime.bigint();
  db.transaction(() => {
    const now = new Date().toISOString().replace('T', ' ').replace('Z', '');
    for (const r of list) {
      const id = newId();
      const [first, last] = [foldName(r.first), foldName(r.last)];
      user.run(id, r.email, r.first, r.last, first, last, now, 'en');
      member.run(newId(), id, instituteId, r.group, r.email, first, last);
    }
  })();
  return ROWS / seconds(t0);
}

export async function sqliteFigures(): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-sqlite-'));
  const t = await createTestApp({ env: { DATABASE_URL: `sqlite:${join(dir, 'app.sqlite')}`, REDIS_URL: undefined, LOG_LEVEL: 'silent' } });
  const baseline = await rawDatabase(dir);
  try {
    const institute = await seedInstitute(t);
    const manager = await signedIn(t);
    await seedMembership(t, manager.id, institute.id, MembershipRole.Manager);
    const ratios: number[] = [];
    const apps: number[] = [];
    const raws: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const rawRate = raw(baseline, rows('raw'));
      const file = csv(rows('app'));
      const t0 = process.hrtime.bigint();
      const sent = Date.now();
      const accepted = await t
        .http()
        .post(`/api/institutes/${institute.id}/imports`)
        .set('Authorization', `Bearer ${manager.token}`)
        .attach('file', file, 'bench.csv');
      if (accepted.status !== 202) throw new Error(`upload: ${accepted.status} ${JSON.stringify(accepted.body)}`);
      let finishedAt: string;
      for (;;) {
        const b = (await t.http().get(`/api/institutes/${institute.id}/imports/${accepted.body.id}`).set('Authorization', `Bearer ${manager.token}`)).body;
        if (b.status === 'completed') {
          finishedAt = b.finishedAt;
          break;
        }
        if (b.status === 'failed') throw new Error(`import failed: ${JSON.stringify(b)}`);
        // As often as a frontend would: each poll is work on the thread the jobs run on.
        await new Promise((r) => setTimeout(r, 250));
      }
      // Upload to the batch's finishedAt (the server's clock is ours): when the import completed,
      // not when a poll saw it (in-process jobs may be sending the welcome mails by then).
      const seen = seconds(t0);
      const appRate = ROWS / ((Date.parse(finishedAt) - sent) / 1000);
      if (process.env.BENCH_VERBOSE) console.log(`   completed after ${(ROWS / appRate).toFixed(2)} s, seen by the poll after ${seen.toFixed(2)} s`);
      // The welcome mails of this round go before the next round is timed.
      await t.idle(600_000);
      apps.push(appRate);
      raws.push(rawRate);
      ratios.push(appRate / rawRate);
      console.log(`run ${run + 1}: ${appRate.toFixed(0)} rows/s vs raw ${rawRate.toFixed(0)} rows/s → ${(appRate / rawRate).toFixed(2)}`);
    }
    console.log(`sqlite import: ${median(apps).toFixed(0)} rows/s, baseline raw better-sqlite3 transaction ${median(raws).toFixed(0)} rows/s`);
    console.log(
      `7. embedded SQLite, ${ROWS} passwordless rows: ratio ${median(ratios).toFixed(2)} to a raw better-sqlite3 transaction (median of ${RUNS}; bar ≥ 0.5)`,
    );
    return [{ name: 'SQLite import vs raw better-sqlite3', value: median(ratios), bar: 0.5, higherIsBetter: true, unit: '' }];
  } finally {
    baseline.db.close();
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  sqliteFigures()
    .then(reportWorst)
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
