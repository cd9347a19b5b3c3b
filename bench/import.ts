/**
 * bench/import: the student import, each figure a ratio to a baseline measured
 * in the same run (the machines are noisy; absolute numbers mean little).
 * BENCH_IMPORT_ONLY numbers the parts as below; the performance issue's bar
 * numbers are in brackets.
 *
 *  1. [1] 10,000 rows without passwords, upload to `completed` (API + Bull worker
 *     in one process, MariaDB, Redis), rows/s ÷ a raw mysql2 multi-row INSERT of
 *     the same users and memberships (1,000-row chunks, in transactions); the
 *     median of BENCH_RUNS rounds.                                        bar ≥ 0.75
 *  2. 1,000 rows with passwords, rows/s ÷ raw argon2id hashing of the same
 *     passwords (same parameters, all in parallel).                       bar ≥ 0.85
 *  3. [2] Peak RSS (VmHWM) of an API process (dist/main.js) and of a worker
 *     process (dist/worker.js) importing 50,000 rows, every welcome email
 *     handed to the SMTP server.                                    bar < 256 MB each
 *  4. [4] A 2,000-row password import done by two worker processes vs one, each
 *     with UV_THREADPOOL_SIZE=1 (dist/worker.js; the API only enqueues).  bar ≥ 1.8×
 *  5. Reading a 50,000-row .xlsx: the reader vs the frozen pre-issue-12 fast reader
 *     (ratio of medians, bar ≤ 1.25), and the peak RSS of a bare process reading
 *     it (bar < 200 MB). See bench/import-read.ts; needs no database.
 *
 * "Upload to completed" runs from sending the upload to the batch's `finishedAt`
 * (the server's clock, the same as ours): the moment the completing transaction
 * wrote it, not when a status poll happened to see it.
 *
 * The last line is the worst figure against its bar (≥ 1 means every bar is met).
 *
 *   npm run bench:import        (MariaDB and Redis as for the tests; builds dist/ first)
 */
import * as argon2 from 'argon2';
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import mysql from 'mysql2/promise';
import { SMTPServer } from 'smtp-server';
import { AddressInfo } from 'node:net';
import { ARGON2_OPTIONS } from '../src/auth/password.service';
import { newId } from '../src/common/ids';
import { MembershipRole } from '../src/memberships/entities/membership.entity';
import { foldName } from '../src/users/email';
import { seedInstitute, seedMembership, signedIn } from '../test/support/factories';
import { clearRedisPrefix, createTestDatabase, TEST_REDIS_URL, uniqueName } from '../test/support/infra';
import { createTestApp, TestApp } from '../test/support/test-app';
import { xlsx } from '../test/support/xlsx';
import { Figure, median, reportWorst } from './figures';
import { readingFigures } from './import-read';

const ROOT = join(__dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const ONLY = new Set((process.env.BENCH_IMPORT_ONLY ?? '1,2,3,4,5').split(',').map(Number));

/** Waits until no job is waiting, delayed or active under the prefix: each figure starts on a quiet machine. */
async function drain(prefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    for (;;) {
      let busy = 0;
      for (const key of await redis.keys(`${prefix}:*:wait`)) busy += await redis.llen(key);
      for (const key of await redis.keys(`${prefix}:*:active`)) busy += await redis.llen(key);
      // (Repeatable jobs, the digest and the retention sweep, always have their next run delayed: not work in progress.)
      for (const key of await redis.keys(`${prefix}:*:delayed`)) busy += (await redis.zrange(key, 0, -1)).filter((id) => !id.startsWith('repeat:')).length;
      if (!busy) return;
      await sleep(250);
    }
  } finally {
    redis.disconnect();
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;
const tag = () => randomBytes(3).toString('hex');

/** An SMTP server that accepts and discards: mail must not be what is measured. */
async function mailSink(): Promise<{ url: string; count(): number; close(): Promise<void> }> {
  let accepted = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData: (stream, _s, cb) => {
      stream.on('end', () => {
        accepted += 1;
        cb();
      });
      stream.resume();
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server as unknown as { server: { address(): AddressInfo } }).server.address().port;
  return { url: `smtp://127.0.0.1:${port}`, count: () => accepted, close: () => new Promise<void>((r) => server.close(() => r())) };
}

function studentRows(n: number, label: string, password?: (i: number) => string) {
  const t = tag();
  return Array.from({ length: n }, (_, i) => [
    `First${i}`,
    `Last${i}`,
    `${label}.${t}.${i}@bench.example`,
    password ? password(i) : null,
    `G${i % 30}`,
    'Bench',
  ]);
}

async function importAndWait(baseUrl: string | TestApp, instituteId: string, token: string, file: Buffer): Promise<number> {
  const post = async () => {
    if (typeof baseUrl !== 'string') {
      const res = await baseUrl
        .http()
        .post(`/api/institutes/${instituteId}/imports`)
        .set('Authorization', `Bearer ${token}`)
        .attach('file', file, 'bench.xlsx');
      return { status: res.status, body: res.body };
    }
    const form = new FormData();
    form.append('file', new Blob([file]), 'bench.xlsx');
    const res = await fetch(`${baseUrl}/api/institutes/${instituteId}/imports`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: form });
    return { status: res.status, body: await res.json() };
  };
  const get = async (id: string) => {
    if (typeof baseUrl !== 'string')
      return (await baseUrl.http().get(`/api/institutes/${instituteId}/imports/${id}`).set('Authorization', `Bearer ${token}`)).body;
    return (await fetch(`${baseUrl}/api/institutes/${instituteId}/imports/${id}`, { headers: { Authorization: `Bearer ${token}` } })).json();
  };
  const t0 = process.hrtime.bigint();
  const sent = Date.now();
  const res = await post();
  if (res.status !== 202) throw new Error(`upload: ${res.status} ${JSON.stringify(res.body)}`);
  if (process.env.BENCH_VERBOSE) console.log(`   upload answered in ${seconds(t0).toFixed(2)} s`);
  for (;;) {
    const b = await get(res.body.id);
    if (b.status === 'completed') {
      const seen = seconds(t0);
      if (b.failed) throw new Error(`import had failures: ${JSON.stringify(b)}`);
      const completed = (Date.parse(b.finishedAt) - sent) / 1000;
      if (process.env.BENCH_VERBOSE) console.log(`   completed after ${completed.toFixed(2)} s, seen by the poll after ${seen.toFixed(2)} s`);
      return completed;
    }
    if (b.status === 'failed') throw new Error(`import failed: ${JSON.stringify(b)}`);
    // As often as a frontend would: the time is read from finishedAt, and each poll costs the server work.
    await sleep(250);
  }
}

/**
 * Baseline 1: the same users and memberships, the columns the import writes (folded
 * names, creator, validation, each membership's search keys), by plain multi-row
 * INSERTs, 1,000 per transaction.
 * The directory's name words are the import's own extra work and not in it.
 */
async function rawInsert(dbUrl: string, instituteId: string, creatorId: string, rows: unknown[][]): Promise<number> {
  const conn = await mysql.createConnection(dbUrl);
  try {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < rows.length; i += 1000) {
      const slice = rows.slice(i, i + 1000);
      const now = new Date();
      const users = slice.map((r) => [newId(), String(r[2]).toLowerCase(), r[0], r[1], foldName(String(r[0])), foldName(String(r[1])), now, 'en', creatorId]);
      await conn.beginTransaction();
      await conn.query('INSERT INTO users (id, email, firstName, lastName, foldedFirstName, foldedLastName, emailVerifiedAt, locale, createdById) VALUES ?', [
        users,
      ]);
      await conn.query(
        'INSERT INTO memberships (id, userId, instituteId, role, status, groupName, department, createdById, validatedById, validatedAt, searchEmail, searchFirstName, searchLastName) VALUES ?',
        [users.map((u, j) => [newId(), u[0], instituteId, 'student', 'active', slice[j][4], slice[j][5], creatorId, creatorId, now, u[1], u[4], u[5]])],
      );
      await conn.commit();
    }
    return seconds(t0);
  } finally {
    await conn.end();
  }
}

/** An institute and its signed-in manager, written with plain SQL into a database the API migrated. */
async function seedOver(dbUrl: string, baseUrl: string) {
  const conn = await mysql.createConnection(dbUrl);
  const institute = { id: randomUUID() };
  const email = `manager.${tag()}@bench.example`;
  const password = 'bench manager passphrase';
  const userId = randomUUID();
  try {
    await conn.query('INSERT INTO institutes (id, name, searchName, status) VALUES (?, ?, ?, ?)', [
      institute.id,
      'Bench Processes',
      'bench processes',
      'active',
    ]);
    await conn.query('INSERT INTO users (id, email, firstName, lastName, passwordHash, emailVerifiedAt) VALUES (?, ?, ?, ?, ?, NOW(3))', [
      userId,
      email,
      'Bench',
      'Manager',
      await argon2.hash(password, ARGON2_OPTIONS),
    ]);
    // Its search keys are the account's: this email, and names never folded here.
    await conn.query('INSERT INTO memberships (id, userId, instituteId, role, status, searchEmail) VALUES (?, ?, ?, ?, ?, ?)', [
      randomUUID(),
      userId,
      institute.id,
      'manager',
      'active',
      email,
    ]);
  } finally {
    await conn.end();
  }
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const body = (await res.json()) as { accessToken: string };
  if (res.status !== 200) throw new Error(`login: ${res.status} ${JSON.stringify(body)}`);
  return { institute, manager: { token: body.accessToken } };
}

interface Child {
  proc: ChildProcess;
  output: () => string;
}

function spawnDist(entry: string, env: Record<string, string>): Child {
  const proc = spawn(process.execPath, [join(ROOT, 'dist', entry)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  return { proc, output: () => out };
}

async function waitFor(child: Child, pattern: RegExp, timeoutMs = 60000): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = pattern.exec(child.output());
    if (m) return m;
    if (Date.now() > deadline || child.proc.exitCode !== null) throw new Error(`child did not print ${pattern}:\n${child.output().slice(-3000)}`);
    await sleep(100);
  }
}

async function stop(child: Child) {
  if (child.proc.exitCode !== null) return;
  const exited = new Promise((r) => child.proc.once('exit', r));
  child.proc.kill('SIGTERM');
  await Promise.race([exited, sleep(10000)]);
  if (child.proc.exitCode === null) child.proc.kill('SIGKILL');
}

function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

export async function importFigures(): Promise<Figure[]> {
  process.env.NODE_ENV = 'test';
  const results: Figure[] = [];
  // First, on a quiet machine: the figure that times the reader alone.
  if (ONLY.has(5)) results.push(...(await readingFigures(ROOT)));
  const sink = await mailSink();

  // --- 1 and 2: in one process (API + Bull worker), like `npm start` with REDIS_URL.
  if (ONLY.has(1) || ONLY.has(2)) {
    const t = await createTestApp({
      env: { SMTP_URL: sink.url, LOG_LEVEL: 'warn', ...(process.env.IMPORT_CHUNK_ROWS ? { IMPORT_CHUNK_ROWS: process.env.IMPORT_CHUNK_ROWS } : {}) },
    });
    try {
      const institute = await seedInstitute(t, 'Bench Import');
      const manager = await signedIn(t);
      await seedMembership(t, manager.id, institute.id, MembershipRole.Manager);
      await importAndWait(t, institute.id, manager.token, await xlsx(studentRows(1000, 'warm')));
      await drain(t.env.QUEUE_PREFIX);

      if (ONLY.has(1)) {
        const rawInstitute = await seedInstitute(t, 'Bench Raw');
        const ratios: number[] = [];
        const ours: number[] = [];
        const raws: number[] = [];
        for (let run = 0; run < RUNS; run++) {
          const file = await xlsx(studentRows(10_000, `plain${run}`));
          // Each starts with no job in progress (the last round's welcome mails are sent).
          await drain(t.env.QUEUE_PREFIX);
          const rawSeconds = await rawInsert(t.env.DATABASE_URL, rawInstitute.id, manager.id, studentRows(10_000, `raw${run}`));
          const ourSeconds = await importAndWait(t, institute.id, manager.token, file);
          raws.push(10_000 / rawSeconds);
          ours.push(10_000 / ourSeconds);
          ratios.push(rawSeconds / ourSeconds);
          console.log(
            `   run ${run + 1}: import ${(10_000 / ourSeconds).toFixed(0)} rows/s (${ourSeconds.toFixed(2)} s), raw INSERT ${(10_000 / rawSeconds).toFixed(0)} rows/s → ${(rawSeconds / ourSeconds).toFixed(2)}`,
          );
        }
        console.log(
          `1. 10,000 rows, no passwords: import ${median(ours).toFixed(0)} rows/s, raw INSERT ${median(raws).toFixed(0)} rows/s → ratio ${median(ratios).toFixed(2)} (median of ${RUNS}; bar ≥ 0.75)`,
        );
        results.push({ name: '10k passwordless rows vs raw INSERT', value: median(ratios), bar: 0.75, higherIsBetter: true, unit: '' });
        // The last round's welcome mails go before the next figure is timed.
        await drain(t.env.QUEUE_PREFIX);
      }

      if (ONLY.has(2)) {
        const pwRows = studentRows(1000, 'pw', (i) => `bench passphrase ${i} ${tag()}`);
        const pwFile = await xlsx(pwRows);
        const h0 = process.hrtime.bigint();
        await Promise.all(pwRows.map((r) => argon2.hash(String(r[3]), ARGON2_OPTIONS)));
        const hashSeconds = seconds(h0);
        const pwSeconds = await importAndWait(t, institute.id, manager.token, pwFile);
        const ratio2 = hashSeconds / pwSeconds;
        console.log(
          `1b. 1,000 rows with passwords: import ${(1000 / pwSeconds).toFixed(1)} rows/s, raw argon2id ${(1000 / hashSeconds).toFixed(1)} hashes/s → ratio ${ratio2.toFixed(2)} (bar ≥ 0.85)`,
        );
        results.push({ name: '1k passwords vs raw argon2', value: ratio2, bar: 0.85, higherIsBetter: true, unit: '' });
        await drain(t.env.QUEUE_PREFIX);
      }
    } finally {
      await t.close();
    }
  }

  // --- 3 and 4: real processes from dist/, over a database and prefix of their own.
  if (ONLY.has(3) || ONLY.has(4)) {
    const db = await createTestDatabase();
    const prefix = uniqueName('okt_bench');
    const env = {
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      SMTP_URL: sink.url,
      JWT_SECRET: randomBytes(32).toString('hex'),
      LOG_LEVEL: 'info',
      AUTH_THROTTLE_LIMIT: '100000',
    };
    const children: Child[] = [];
    try {
      if (ONLY.has(3)) {
        // The production shape: an API replica that only enqueues, and a worker process.
        const api = spawnDist('main.js', { ...env, PORT: '0', RUN_WORKERS: 'false' });
        const worker = spawnDist('worker.js', env);
        children.push(api, worker);
        const port = Number((await waitFor(api, /Listening on port (\d+)/))[1]);
        await waitFor(worker, /Worker started/);
        const { institute, manager } = await seedOver(db.url, `http://127.0.0.1:${port}`);
        const sent = sink.count();
        await importAndWait(`http://127.0.0.1:${port}`, institute.id, manager.token, await xlsx(studentRows(50_000, 'rss')));
        await drain(prefix);
        if (sink.count() - sent < 50_000) throw new Error(`only ${sink.count() - sent} welcome emails reached the SMTP server`);
        const [apiRss, workerRss] = [peakRssMb(api.proc.pid!), peakRssMb(worker.proc.pid!)];
        console.log(
          `2. 50,000 rows and their 50,000 welcome emails: peak RSS of the API process ${apiRss.toFixed(0)} MB, of the worker ${workerRss.toFixed(0)} MB (bar < 256 MB each)`,
        );
        results.push({ name: 'peak RSS of the API, 50k rows', value: apiRss, bar: 256, higherIsBetter: false, unit: ' MB' });
        results.push({ name: 'peak RSS of a worker, 50k rows', value: workerRss, bar: 256, higherIsBetter: false, unit: ' MB' });
        await stop(api);
        await stop(worker);
      }

      if (ONLY.has(4)) {
        // The API only enqueues; the workers (one, then two) do the chunks, one libuv thread each.
        const api = spawnDist('main.js', { ...env, PORT: '0', RUN_WORKERS: 'false' });
        children.push(api);
        const port = Number((await waitFor(api, /Listening on port (\d+)/))[1]);
        const url = `http://127.0.0.1:${port}`;
        const { institute, manager } = await seedOver(db.url, url);
        const runWith = async (count: number) => {
          const workers = Array.from({ length: count }, () => spawnDist('worker.js', { ...env, UV_THREADPOOL_SIZE: '1' }));
          children.push(...workers);
          for (const w of workers) await waitFor(w, /Worker started/);
          const s = await importAndWait(url, institute.id, manager.token, await xlsx(studentRows(2000, `w${count}`, (i) => `bench passphrase ${i} ${tag()}`)));
          await drain(prefix);
          if (process.env.BENCH_VERBOSE)
            workers.forEach((w, i) => console.log(`   worker ${i + 1}: ${(w.output().match(/Import chunk done/g) ?? []).length} chunks`));
          for (const w of workers) await stop(w);
          return s;
        };
        const one = await runWith(1);
        const two = await runWith(2);
        const speedup = one / two;
        console.log(`4. 2,000 password rows: one worker ${one.toFixed(1)} s, two workers ${two.toFixed(1)} s → ${speedup.toFixed(2)}× (bar ≥ 1.8×)`);
        results.push({ name: 'two workers vs one', value: speedup, bar: 1.8, higherIsBetter: true, unit: '×' });
      }
    } finally {
      for (const c of children) await stop(c);
      await clearRedisPrefix(prefix).catch(() => undefined);
      await db.drop().catch(() => undefined);
    }
  }
  await sink.close();
  return results;
}

if (require.main === module) {
  importFigures()
    .then(reportWorst)
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
