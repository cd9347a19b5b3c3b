/**
 * bench/members: GET /institutes/:id/members on an institute of 1,000,000
 * members (BENCH_MEMBERS). Prints the median latency of a first page, a deep
 * page (cursor, 80% down) and a search, each as a ratio to a bare
 * authenticated endpoint measured in the same run, interleaved (bar ≤ 3 each).
 *
 *   npm run bench:members      (MariaDB and Redis as for the tests)
 */
import { newId } from '../src/common/ids';
import { encodeCursor } from '../src/common/pagination';
import { MembershipRole } from '../src/memberships/entities/membership.entity';
import { login, seedInstitute, seedMembership, signedIn } from '../test/support/factories';
import { createTestApp } from '../test/support/test-app';
import { foldName } from '../src/users/email';
import { Figure, median, reportWorst } from './figures';

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 1_000_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 60);
const CHUNK = 2000;
const LAST_NAMES = [
  'Martin',
  'Bernard',
  'Dubois',
  'Thomas',
  'Robert',
  'Richard',
  'Petit',
  'Durand',
  'Leroy',
  'Moreau',
  'Simon',
  'Laurent',
  'Lefebvre',
  'Michel',
  'Garcia',
  'David',
  'Bertrand',
  'Roux',
  'Vincent',
  'Fournier',
];

export async function membersFigures(): Promise<Figure[]> {
  process.env.NODE_ENV = 'test';
  const t = await createTestApp({ listen: true });
  try {
    const institute = await seedInstitute(t, 'Bench Institute');
    const manager = await signedIn(t);
    await seedMembership(t, manager.id, institute.id, MembershipRole.Manager);

    // Seeded over one connection of its own, in transactions of 20,000 rows, with the
    // unique and foreign-key checks off for it alone (the rows are made valid here).
    // Time-ordered ids, as the app makes them (src/common/ids.ts). With random ones, this was
    // disk-bound on MariaDB's default 128 MB buffer pool: ≈ 14 minutes for 1,000,000 members.
    const started = Date.now();
    const base = Date.now() - MEMBERS * 10;
    const seeder = t.dataSource.createQueryRunner();
    await seeder.connect();
    try {
      await seeder.query('SET SESSION unique_checks = 0, foreign_key_checks = 0');
      for (let offset = 0; offset < MEMBERS; offset += CHUNK * 10) {
        await seeder.startTransaction();
        for (let from = offset; from < Math.min(offset + CHUNK * 10, MEMBERS); from += CHUNK) {
          const users: unknown[] = [];
          const members: unknown[] = [];
          for (let i = from; i < Math.min(from + CHUNK, MEMBERS); i++) {
            const id = newId();
            const last = `${LAST_NAMES[i % LAST_NAMES.length]}${Math.floor(i / LAST_NAMES.length)}`;
            const [email, first] = [`student${i}@bench.example`, `Student${i}`];
            const folded = [foldName(first), foldName(last)];
            users.push([id, email, first, last, ...folded]);
            // The membership's search keys are its account's email and folded names.
            members.push([newId(), id, institute.id, i % 10 === 0 ? 'teacher' : 'student', 'active', `G${i % 30}`, new Date(base + i * 10), email, ...folded]);
          }
          await seeder.query(
            `INSERT INTO users (id, email, firstName, lastName, foldedFirstName, foldedLastName) VALUES ${users.map(() => '(?,?,?,?,?,?)').join(',')}`,
            users.flat(),
          );
          await seeder.query(
            `INSERT INTO memberships (id, userId, instituteId, role, status, groupName, createdAt, searchEmail, searchFirstName, searchLastName) VALUES ${members.map(() => '(?,?,?,?,?,?,?,?,?,?)').join(',')}`,
            members.flat(),
          );
        }
        await seeder.commitTransaction();
      }
    } finally {
      await seeder.release();
    }
    await t.dataSource.query('ANALYZE TABLE users, memberships');
    console.log(`seeded ${MEMBERS} members in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const [deep] = await t.dataSource.query('SELECT createdAt, id FROM memberships WHERE instituteId = ? ORDER BY createdAt DESC, id DESC LIMIT 1 OFFSET ?', [
      institute.id,
      Math.floor(MEMBERS * 0.8),
    ]);
    const deepCursor = encodeCursor({ at: new Date(deep.createdAt), id: deep.id });
    const server = t.app.getHttpServer().address() as { port: number };
    const baseUrl = `http://127.0.0.1:${server.port}`;
    // Signed in again: seeding outlasts an access token.
    const headers = { Authorization: `Bearer ${(await login(t, manager.email, manager.password)).accessToken}` };

    const time = async (path: string): Promise<number> => {
      const t0 = process.hrtime.bigint();
      const res = await fetch(`${baseUrl}${path}`, { headers });
      const body = await res.json();
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
      return ms;
    };
    const scenarios: Record<string, string> = {
      bare: `/api/users/${manager.id}`,
      first: `/api/institutes/${institute.id}/members?limit=50`,
      deep: `/api/institutes/${institute.id}/members?limit=50&cursor=${deepCursor}`,
      search: `/api/institutes/${institute.id}/members?limit=50&search=dubois12`,
    };
    // Warm up, then interleave the scenarios so machine noise hits all of them alike.
    for (const path of Object.values(scenarios)) for (let i = 0; i < 5; i++) await time(path);
    const samples: Record<string, number[]> = Object.fromEntries(Object.keys(scenarios).map((k) => [k, []]));
    for (let i = 0; i < SAMPLES; i++) for (const [name, path] of Object.entries(scenarios)) samples[name].push(await time(path));

    const bare = median(samples.bare);
    console.log(`bare authenticated endpoint: median ${bare.toFixed(2)} ms`);
    return ['first', 'deep', 'search'].map((name) => {
      const m = median(samples[name]);
      console.log(`6. members, ${name} page at ${MEMBERS} members: median ${m.toFixed(2)} ms, ratio ${(m / bare).toFixed(2)} to the bare endpoint (bar ≤ 3)`);
      return { name: `members ${name} page vs bare endpoint`, value: m / bare, bar: 3, higherIsBetter: false, unit: '' };
    });
  } finally {
    await t.close();
  }
}

if (require.main === module) {
  membersFigures()
    .then(reportWorst)
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
