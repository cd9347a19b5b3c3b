/**
 * bench/directory: GET /api/users?search= on 200,000 accounts (100,000 of them
 * members of one institute). Prints the median latency of searches with few
 * and with many matches — a unique name word, two common name words, an email
 * prefix, and an institute-scoped search by a manager — each as a ratio to a
 * bare authenticated endpoint measured in the same run. The cost must follow
 * the matches, not the table: a search for a rare name costs what a bare request
 * does however many people there are. Two very common words (each in 1 of 16
 * names here, 12,500 people each) cost what reading those 25,000 index entries
 * costs (each typed word's matches). The last line is the worst ratio.
 *
 *   npm run bench:directory      (MariaDB and Redis as for the tests)
 */
import { randomUUID } from 'node:crypto';
import { MembershipRole } from '../src/memberships/entities/membership.entity';
import { foldName } from '../src/users/email';
import { nameWordsOf } from '../src/users/name-words';
import { seedInstitute, seedMembership, signedIn } from '../test/support/factories';
import { createTestApp } from '../test/support/test-app';
import { Figure, median, reportWorst } from './figures';

const USERS = Number(process.env.BENCH_USERS ?? 200_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 60);
const CHUNK = 2000;
const FIRST = ['Ada', 'Louis', 'Emma', 'Hugo', 'Jade', 'Lucas', 'Chloé', 'Nathan', 'Léa', 'Théo', 'Manon', 'Gabriel', 'Inès', 'Raphaël', 'Zoé', 'Arthur'];
const LAST = [
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
  'Lefèvre',
  'Michel',
  'Garcia',
  'David',
];

/** A pronounceable, practically unique word for person `i` (a rare surname). */
function rareWord(i: number): string {
  const syllables = ['ka', 'lo', 'mi', 'ne', 'su', 'ra', 'ti', 'vo', 'ze', 'bu'];
  let out = '';
  for (let n = i + 100_000; n > 0; n = Math.floor(n / 10)) out += syllables[n % 10];
  return out.charAt(0).toUpperCase() + out.slice(1);
}

export async function directoryFigures(): Promise<Figure[]> {
  process.env.NODE_ENV = 'test';
  const t = await createTestApp({ listen: true });
  try {
    const institute = await seedInstitute(t, 'Bench Institute');
    const manager = await signedIn(t);
    const staff = await signedIn(t, { isStaff: true });
    await seedMembership(t, manager.id, institute.id, MembershipRole.Manager);

    const started = Date.now();
    const base = Date.now() - USERS * 10;
    for (let offset = 0; offset < USERS; offset += CHUNK) {
      const users: unknown[][] = [];
      const words: unknown[][] = [];
      const members: unknown[][] = [];
      for (let i = offset; i < Math.min(offset + CHUNK, USERS); i++) {
        const id = randomUUID();
        const first = FIRST[i % FIRST.length];
        const last = `${LAST[Math.floor(i / FIRST.length) % LAST.length]} ${rareWord(i)}`;
        const keys = [`person${i}@bench.example`, foldName(first), foldName(last)];
        users.push([id, keys[0], first, last, keys[1], keys[2], new Date(base + i * 10)]);
        for (const w of nameWordsOf(first, last)) words.push([id, w]);
        // A membership carries its account's email and folded names (its search keys).
        if (i % 2 === 0) members.push([randomUUID(), id, institute.id, 'student', 'active', new Date(base + i * 10), ...keys]);
      }
      await t.dataSource.query(
        `INSERT INTO users (id, email, firstName, lastName, foldedFirstName, foldedLastName, createdAt) VALUES ${users.map(() => '(?,?,?,?,?,?,?)').join(',')}`,
        users.flat(),
      );
      await t.dataSource.query(`INSERT INTO user_name_words (userId, word) VALUES ${words.map(() => '(?,?)').join(',')}`, words.flat());
      await t.dataSource.query(
        `INSERT INTO memberships (id, userId, instituteId, role, status, createdAt, searchEmail, searchFirstName, searchLastName) VALUES ${members.map(() => '(?,?,?,?,?,?,?,?,?)').join(',')}`,
        members.flat(),
      );
    }
    await t.dataSource.query('ANALYZE TABLE users, user_name_words, memberships');
    console.log(`seeded ${USERS} users in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const server = t.app.getHttpServer().address() as { port: number };
    const baseUrl = `http://127.0.0.1:${server.port}`;
    const time = async (path: string, token: string): Promise<{ ms: number; count: number }> => {
      const t0 = process.hrtime.bigint();
      const res = await fetch(`${baseUrl}${path}`, { headers: { Authorization: `Bearer ${token}` } });
      const body = (await res.json()) as { items?: unknown[] };
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
      return { ms, count: body.items?.length ?? 1 };
    };
    // 12344 is even: a member of the institute.
    const q = (search: string, extra = '') => `/api/users?limit=20&search=${encodeURIComponent(search)}${extra}`;
    const scenarios: Record<string, [string, string]> = {
      bare: [`/api/users/${staff.id}`, staff.token],
      'unique name word (staff)': [q(rareWord(12344)), staff.token],
      'two common words (each in 1 of 16 names), 781 matches (staff)': [q('lefevre zoe'), staff.token],
      'email prefix (staff)': [q('person12344@'), staff.token],
      'unique word in a 100,000-member institute (manager)': [q(rareWord(12344), `&instituteId=${institute.id}`), manager.token],
      'common words in the institute (manager)': [q('dubois ada', `&instituteId=${institute.id}`), manager.token],
    };
    for (const [path, token] of Object.values(scenarios)) for (let i = 0; i < 5; i++) await time(path, token);
    const samples: Record<string, number[]> = Object.fromEntries(Object.keys(scenarios).map((k) => [k, []]));
    const counts: Record<string, number> = {};
    for (let i = 0; i < SAMPLES; i++)
      for (const [name, [path, token]] of Object.entries(scenarios)) {
        const r = await time(path, token);
        samples[name].push(r.ms);
        counts[name] = r.count;
      }

    const bare = median(samples.bare);
    console.log(`bare authenticated endpoint: median ${bare.toFixed(2)} ms`);
    return Object.keys(scenarios)
      .filter((n) => n !== 'bare')
      .map((name) => {
        const m = median(samples[name]);
        console.log(
          `directory, ${name}: ${counts[name]} on the page, median ${m.toFixed(2)} ms, ratio ${(m / bare).toFixed(2)} to the bare endpoint (bar ≤ 3)`,
        );
        return { name: `directory ${name} vs bare endpoint`, value: m / bare, bar: 3, higherIsBetter: false, unit: '' };
      });
  } finally {
    await t.close();
  }
}

if (require.main === module) {
  directoryFigures()
    .then(reportWorst)
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
