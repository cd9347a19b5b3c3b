/**
 * bench/signin: sign-in under load. 200 distinct accounts sign in at once
 * (POST /api/auth/login, MariaDB, Redis throttle), logins per second as a
 * ratio to raw argon2id verification of the same 200 passwords at once, with
 * the same parameters, in the same process (bar ≥ 0.85). Meanwhile /health is
 * probed every 10 ms (BENCH_PROBE_MS), each probe timed from when it was due:
 * its p99 latency shows the event loop stays responsive (bar < 50 ms). A probe
 * sent back to back instead would be a load generator of its own, taking from
 * the logins the CPU it measures them by. Each figure is the median of BENCH_RUNS rounds.
 *
 * Then what bounds the ratio, by the same rounds (BENCH_BOUND_RUNS, 0 to skip): the same
 * app with its login reduced to the password check (no statement, no token, no audit
 * entry: what the HTTP stack alone leaves of the ratio, Express and Nest's pipeline with
 * the throttle's Redis call), and a bare node:http server that only checks the password
 * (what the clients, the probes and HTTP itself leave).
 *
 *   npm run bench:signin      (MariaDB and Redis as for the tests)
 */
import * as argon2 from 'argon2';
import { randomUUID } from 'node:crypto';
import { Agent, createServer, request, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { AuthService } from '../src/auth/auth.service';
import { LoginResponseDto } from '../src/auth/dto/auth.dto';
import { ARGON2_OPTIONS } from '../src/auth/password.service';
import { foldName } from '../src/users/email';
import { createTestApp } from '../test/support/test-app';
import { Figure, median, reportWorst } from './figures';

const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 200);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
/** How often the /health probe is sent while the logins run (a load balancer's check is every few seconds). */
const PROBE_MS = Number(process.env.BENCH_PROBE_MS ?? 10);
const BOUND_RUNS = Number(process.env.BENCH_BOUND_RUNS ?? 3);

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;

export async function signinFigures(): Promise<Figure[]> {
  const t = await createTestApp({ listen: true, env: { LOG_LEVEL: 'silent' } });
  try {
    const server = t.app.getHttpServer() as Server;
    // The clients hold their connections through the raw baseline between rounds (≈ 3 s
    // on this machine, and the previous round's first logins finish seconds before it);
    // Node's 5 s keep-alive would close them under the clients, who would see resets.
    server.keepAliveTimeout = 120_000;
    // One connection per concurrent login, as 200 browsers would have.
    let agent = new Agent({ keepAlive: true, maxSockets: ACCOUNTS });
    // The monitor is another client, with connections of its own.
    let monitor = new Agent({ keepAlive: true, maxSockets: 50 });
    let target = (server.address() as AddressInfo).port;
    const call = (method: string, path: string, body?: unknown, via = agent) =>
      new Promise<number>((resolve, reject) => {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const req = request(
          {
            host: '127.0.0.1',
            port: target,
            path,
            method,
            agent: via,
            headers: payload ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {},
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end(payload);
      });

    const accounts = Array.from({ length: ACCOUNTS }, (_, i) => ({
      id: randomUUID(),
      email: `signin.${i}.${randomUUID().slice(0, 8)}@bench.example`,
      password: `passphrase number ${i} ${randomUUID()}`,
    }));
    const hashes = await Promise.all(accounts.map((a) => argon2.hash(a.password, ARGON2_OPTIONS)));
    await t.dataSource.query(
      `INSERT INTO users (id, email, firstName, lastName, foldedFirstName, foldedLastName, passwordHash, emailVerifiedAt) VALUES ${accounts.map(() => '(?,?,?,?,?,?,?,NOW(3))').join(',')}`,
      accounts.flatMap((a, i) => [a.id, a.email, 'Sign', `In${i}`, foldName('Sign'), foldName(`In${i}`), hashes[i]]),
    );

    const login = async (a: (typeof accounts)[number]): Promise<number> => {
      const t0 = process.hrtime.bigint();
      const status = await call('POST', '/api/auth/login', { email: a.email, password: a.password });
      if (status !== 200) throw new Error(`login ${a.email}: ${status}`);
      return seconds(t0) * 1000;
    };
    // Warm-up: JIT, the database's buffers, and every client's connection (200 browsers
    // already hold theirs; opening 200 at once is a different test, of the TCP stack).
    await Promise.all(accounts.map(login));
    await Promise.all(Array.from({ length: 20 }, () => call('GET', '/health', undefined, monitor)));

    /** One round: the raw baseline, then the logins with the probe running; its figures. */
    const round = async (label: string) => {
      const r0 = process.hrtime.bigint();
      const ok = await Promise.all(accounts.map((a, i) => argon2.verify(hashes[i], a.password)));
      if (!ok.every(Boolean)) throw new Error('raw verification failed');
      const rawRate = ACCOUNTS / seconds(r0);

      // The probe of a monitor: one GET /health every PROBE_MS, whatever the previous one
      // is doing, each timed from when it was due (a late timer is a stalled event loop,
      // and the probes it held back count that stall).
      const health: number[] = [];
      const probes: Promise<void>[] = [];
      const p0 = process.hrtime.bigint();
      let due = 0;
      const probe = () => {
        for (const now = seconds(p0) * 1000; due <= now; due += PROBE_MS) {
          const at = due;
          probes.push(call('GET', '/health', undefined, monitor).then(() => void health.push(seconds(p0) * 1000 - at)));
        }
      };
      probe();
      const timer = setInterval(probe, PROBE_MS);
      const a0 = process.hrtime.bigint();
      const latencies = await Promise.all(accounts.map(login));
      const appRate = ACCOUNTS / seconds(a0);
      clearInterval(timer);
      await Promise.all(probes);
      const r = { raw: rawRate, app: appRate, ratio: appRate / rawRate, loginP99: percentile(latencies, 0.99), healthP99: percentile(health, 0.99) };
      console.log(
        `${label}: ${appRate.toFixed(1)} logins/s vs ${rawRate.toFixed(1)} raw verifications/s → ${r.ratio.toFixed(2)}; ` +
          `login p99 ${r.loginP99.toFixed(0)} ms; /health p99 ${r.healthP99.toFixed(1)} ms over ${health.length} probes`,
      );
      return r;
    };
    const rounds = [];
    for (let run = 0; run < RUNS; run++) rounds.push(await round(`run ${run + 1}`));
    const raw = rounds.map((r) => r.raw);
    const app = rounds.map((r) => r.app);
    const ratios = rounds.map((r) => r.ratio);
    const loginP99 = rounds.map((r) => r.loginP99);
    const healthP99 = rounds.map((r) => r.healthP99);

    if (BOUND_RUNS > 0) {
      const byEmail = new Map(accounts.map((a, i) => [a.email, hashes[i]]));
      const check = async (email: string, password: string) => {
        const hash = byEmail.get(email);
        if (!hash || !(await argon2.verify(hash, password))) throw new Error(`password check failed for ${email}`);
      };

      // The same app, its login reduced to the password check the real one does.
      const auth = t.app.get(AuthService);
      const real = auth.login.bind(auth);
      const checkOnly: number[] = [];
      auth.login = async (email: string, password: string) => {
        await check(email, password);
        return { accessToken: '-', refreshToken: '-', tokenType: 'Bearer', expiresIn: 0, user: { id: email } } as unknown as LoginResponseDto;
      };
      try {
        for (let run = 0; run < BOUND_RUNS; run++) checkOnly.push((await round(`bound, login = password check only, run ${run + 1}`)).ratio);
      } finally {
        auth.login = real;
      }

      // A bare node:http server that only checks the password, admitting as many at once as
      // the app does (SIGN_IN_CONCURRENCY, by default the thread pool's size).
      const admitted = Number(process.env.SIGN_IN_CONCURRENCY) || Number(process.env.UV_THREADPOOL_SIZE) || 4;
      let active = 0;
      const waiting: Array<() => void> = [];
      const bare = createServer((req, res) => {
        if (req.url === '/health') return void res.setHeader('Content-Type', 'application/json').end('{"status":"ok"}');
        const start = () => {
          active++;
          let text = '';
          req.setEncoding('utf8').on('data', (c: string) => (text += c));
          req.on('end', () => {
            const { email, password } = JSON.parse(text) as { email: string; password: string };
            void check(email, password)
              .then(
                () => res.setHeader('Content-Type', 'application/json').end(JSON.stringify({ email })),
                () => {
                  res.statusCode = 401;
                  res.end();
                },
              )
              .finally(() => {
                active--;
                waiting.shift()?.();
              });
          });
        };
        if (active < admitted) start();
        else waiting.push(start);
      });
      bare.keepAliveTimeout = 120_000;
      await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
      const bareOnly: number[] = [];
      try {
        target = (bare.address() as AddressInfo).port;
        agent.destroy();
        monitor.destroy();
        agent = new Agent({ keepAlive: true, maxSockets: ACCOUNTS });
        monitor = new Agent({ keepAlive: true, maxSockets: 50 });
        // The same warm-up as the app's: every client's connection, and the monitor's.
        await Promise.all(accounts.map(login));
        await Promise.all(Array.from({ length: 20 }, () => call('GET', '/health', undefined, monitor)));
        for (let run = 0; run < BOUND_RUNS; run++) bareOnly.push((await round(`bound, bare node:http password check, run ${run + 1}`)).ratio);
      } finally {
        agent.destroy();
        monitor.destroy();
        await new Promise((resolve) => bare.close(resolve));
      }
      console.log(
        `5. bound (medians of ${BOUND_RUNS}): the app with its login reduced to the password check ${median(checkOnly).toFixed(2)}; ` +
          `a bare node:http server checking the password ${median(bareOnly).toFixed(2)}`,
      );
    }
    agent.destroy();
    monitor.destroy();
    console.log(
      `sign-in: ${median(app).toFixed(1)} logins/s, baseline raw argon2id ${median(raw).toFixed(1)} verifications/s (UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? 4})`,
    );
    console.log(
      `5. sign-in, ${ACCOUNTS} concurrent logins: ratio ${median(ratios).toFixed(2)} to raw argon2id (median of ${RUNS}; bar ≥ 0.85); login p99 ${median(loginP99).toFixed(0)} ms`,
    );
    console.log(`5. /health p99 while the logins run (median of ${RUNS}): ${median(healthP99).toFixed(1)} ms (bar < 50)`);
    return [
      { name: 'sign-in vs raw argon2id', value: median(ratios), bar: 0.85, higherIsBetter: true, unit: '' },
      { name: '/health p99 during sign-ins', value: median(healthP99), bar: 50, higherIsBetter: false, unit: ' ms' },
    ];
  } finally {
    await t.close();
  }
}

if (require.main === module) {
  signinFigures()
    .then(reportWorst)
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
