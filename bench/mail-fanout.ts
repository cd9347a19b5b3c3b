/**
 * bench/mail-fanout: the welcome emails that follow an import, in mails per
 * second from "batch completed" until the SMTP server has accepted the last
 * one, against a raw pooled nodemailer transport (as many connections as the
 * app pools: SMTP_CONNECTIONS) sending the very same messages (captured byte
 * for byte on the first pass) to the same server. The test SMTP server answers
 * each message of a connection in ≈ 45 ms whatever the load, so both rates
 * follow the number of connections.
 *
 * The app runs with its Bull workers in-process (like `npm start` with
 * REDIS_URL), on MariaDB; each student is created without a password, so each
 * mail is a set-password link minted inside its job (the heaviest kind).
 * Several rounds; the median ratio is the figure.                   bar ≥ 0.8
 *
 *   npm run bench:mail      (BENCH_MAILS=2000 BENCH_ROUNDS=3 by default)
 */
import { randomBytes } from 'node:crypto';
import { AddressInfo } from 'node:net';
import { createTransport } from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { SMTP_CONNECTIONS } from '../src/mail/mail.types';
import { MembershipRole } from '../src/memberships/entities/membership.entity';
import { seedInstitute, seedMembership, signedIn } from '../test/support/factories';
import { createTestApp } from '../test/support/test-app';
import { xlsx } from '../test/support/xlsx';
import { median, Figure } from './figures';

const MAILS = Number(process.env.BENCH_MAILS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Accepts every message; counts (and, when asked, keeps) those whose recipient matches. */
class Sink {
  private server!: SMTPServer;
  port = 0;
  count = 0;
  lastAt = 0n;
  keep = false;
  readonly kept: Array<{ from: string; to: string[]; raw: Buffer }> = [];
  private waiter?: { n: number; done: () => void };
  private match = /@fanout\./;

  async start(): Promise<this> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const to = session.envelope.rcptTo.map((r) => r.address);
          if (to.some((a) => this.match.test(a))) {
            if (this.keep) this.kept.push({ from: (session.envelope.mailFrom || { address: '' }).address, to, raw: Buffer.concat(chunks) });
            this.count += 1;
            this.lastAt = process.hrtime.bigint();
            if (this.waiter && this.count >= this.waiter.n) this.waiter.done();
          }
          cb();
        });
      },
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.port = (this.server as unknown as { server: { address(): AddressInfo } }).server.address().port;
    return this;
  }

  reset(keep: boolean): void {
    this.count = 0;
    this.keep = keep;
    this.kept.length = 0;
  }

  until(n: number): Promise<void> {
    if (this.count >= n) return Promise.resolve();
    return new Promise((done) => (this.waiter = { n, done }));
  }

  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

const seconds = (from: bigint, to: bigint) => Number(to - from) / 1e9;

export async function mailFanoutFigures(): Promise<Figure[]> {
  process.env.NODE_ENV = 'test';
  const sink = await new Sink().start();
  const t = await createTestApp({ env: { SMTP_URL: `smtp://127.0.0.1:${sink.port}`, LOG_LEVEL: 'warn' } });
  const ratios: number[] = [];
  try {
    const institute = await seedInstitute(t, 'Bench Fan-out');
    const manager = await signedIn(t);
    await seedMembership(t, manager.id, institute.id, MembershipRole.Manager);
    const auth = { Authorization: `Bearer ${manager.token}` };
    for (let round = 0; round <= ROUNDS; round++) {
      // Round 0 warms up (templates compiled, connections opened), with fewer mails.
      const n = round === 0 ? Math.min(200, MAILS) : MAILS;
      const tag = randomBytes(3).toString('hex');
      const file = await xlsx(Array.from({ length: n }, (_, i) => [`First${i}`, `Last${i}`, `s${i}.${tag}@fanout.example`, null, 'G', 'Bench']));
      sink.reset(true);
      const up = await t.http().post(`/api/institutes/${institute.id}/imports`).set(auth).attach('file', file, 'fanout.xlsx');
      if (up.status !== 202) throw new Error(`upload: ${up.status} ${JSON.stringify(up.body)}`);
      let completedAt: bigint;
      for (;;) {
        const b = (await t.http().get(`/api/institutes/${institute.id}/imports/${up.body.id}`).set(auth)).body;
        if (b.status === 'completed') {
          completedAt = process.hrtime.bigint();
          break;
        }
        if (b.status === 'failed') throw new Error(`import failed: ${JSON.stringify(b)}`);
        await sleep(10);
      }
      await sink.until(n);
      const ours = n / seconds(completedAt, sink.lastAt);
      await t.idle();

      // The same bytes, through a raw pooled transport with as many connections as the app opens.
      const messages = sink.kept.splice(0);
      sink.reset(false);
      const raw = createTransport({ host: '127.0.0.1', port: sink.port, pool: true, maxConnections: SMTP_CONNECTIONS, secure: false, ignoreTLS: true });
      const r0 = process.hrtime.bigint();
      await Promise.all(messages.map((m) => raw.sendMail({ envelope: { from: m.from, to: m.to }, raw: m.raw })));
      const rawRate = n / seconds(r0, sink.lastAt);
      raw.close();
      if (round === 0) continue;
      ratios.push(ours / rawRate);
      console.log(
        `   round ${round}: ${n} welcome mails after the import: ${ours.toFixed(0)} mails/s; raw pooled nodemailer ${rawRate.toFixed(0)} mails/s → ${(ours / rawRate).toFixed(2)}`,
      );
    }
  } finally {
    await t.close();
    await sink.close();
  }
  const value = median(ratios);
  console.log(`3. welcome-mail fan-out (${MAILS} mails, median of ${ROUNDS}): ratio ${value.toFixed(2)} to a raw pooled nodemailer transport (bar ≥ 0.8)`);
  return [{ name: 'welcome fan-out vs raw pooled SMTP', value, bar: 0.8, higherIsBetter: true, unit: '' }];
}

if (require.main === module) {
  mailFanoutFigures().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
