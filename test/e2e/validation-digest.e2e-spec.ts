import Bull from 'bull';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { FakeClock } from '../../src/common/clock';
import { AffiliationStatus, CompanyAffiliation } from '../../src/companies/entities/company-affiliation.entity';
import { Company, CompanyStatus } from '../../src/companies/entities/company.entity';
import { VALIDATION_DIGEST_JOB, ValidationDigestService } from '../../src/companies/validation-digest.service';
import { seedUser } from '../support/factories';
import { TEST_REDIS_URL } from '../support/infra';
import { createTestApp, TestApp } from '../support/test-app';

const HOUR = 3600_000;

/**
 * The 48-hour promise: a Bull repeatable job, declared by two app instances on
 * the same Redis, emails staff each request once per stage (due soon, overdue).
 */
describe('Validation digest (two instances, one Redis)', () => {
  const clock = new FakeClock();
  let a: TestApp;
  let b: TestApp;

  /** Digest runs finished, by either instance. */
  let runs = 0;

  beforeAll(async () => {
    a = await createTestApp({ clock, env: { VALIDATION_DIGEST_EVERY_MS: '250' } });
    b = await createTestApp({ clock, shareWith: a });
    for (const app of [a, b]) {
      const digest = app.get(ValidationDigestService);
      const run = digest.run.bind(digest);
      jest.spyOn(digest, 'run').mockImplementation(async () => {
        try {
          return await run();
        } finally {
          runs += 1;
        }
      });
    }
  });

  /** Waits for `n` more digest runs to finish and the mail they queued to be sent (no fixed sleep). */
  async function moreRuns(n: number) {
    const target = runs + n;
    const deadline = Date.now() + 20000;
    while (runs < target) {
      if (Date.now() > deadline) throw new Error(`only ${runs} digest runs, waited for ${target}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await a.idle();
  }
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  /** Seeds the requests' users and companies, then their affiliations in one INSERT: a digest tick never sees half of them. */
  async function requests(...specs: Array<[name: string, submittedHoursAgo: number]>) {
    const users = [];
    const affiliations = [];
    for (const [name, submittedHoursAgo] of specs) {
      const user = await seedUser(a, { firstName: name, lastName: 'Pro', verified: true });
      const company = { id: randomUUID(), name: `${name} Corp`, normalizedName: `${name.toLowerCase()} ${randomUUID()}`, status: CompanyStatus.Pending };
      await a.dataSource.getRepository(Company).insert(company);
      users.push(user);
      affiliations.push({
        id: randomUUID(),
        userId: user.id,
        companyId: company.id,
        status: AffiliationStatus.Pending,
        submittedAt: new Date(clock.now().getTime() - submittedHoursAgo * HOUR),
      });
    }
    await a.dataSource.getRepository(CompanyAffiliation).insert(affiliations);
    return users;
  }

  const digests = (to: string) => a.mail.find({ to, subject: /Professional validations/ });

  it('sends each staff member one digest per stage, however many instances run the schedule', async () => {
    // Declared by both instances, stored once in Redis.
    const redis = new Redis(TEST_REDIS_URL);
    try {
      expect(await redis.zcard(`${a.env.QUEUE_PREFIX}:${VALIDATION_DIGEST_JOB}:repeat`)).toBe(1);
    } finally {
      redis.disconnect();
    }

    const staff = [await seedUser(a, { isStaff: true, firstName: 'Sam' }), await seedUser(a, { isStaff: true, firstName: 'Sol', locale: 'fr' })];
    const [fresh, soon, late] = await requests(['Fresh', 1], ['Soon', 40], ['Late', 50]);

    const first = await a.mail.waitFor({ to: staff[0].email, subject: /Professional validations: 1 overdue, 1 due soon/ });
    expect(first.text).toContain(late.email);
    expect(first.text).toContain(soon.email);
    expect(first.text).not.toContain(fresh.email);
    // The other staff member gets it in French.
    await a.mail.waitFor({ to: staff[1].email, subject: /à valider : 1 en retard/ });

    // More runs: nothing new to announce, nothing sent again.
    await moreRuns(4);
    expect(digests(staff[0].email)).toHaveLength(1);
    expect(a.mail.find({ to: staff[1].email })).toHaveLength(1);

    // 10 hours later "Soon" is overdue (stage 2) and "Fresh" is not yet due soon: one more digest, with Soon only.
    clock.advance(10 * HOUR);
    const second = await a.mail.waitFor({ to: staff[0].email, subject: /Professional validations: 1 overdue, 0 due soon/ });
    expect(second.text).toContain(soon.email);
    expect(second.text).not.toContain(late.email);
    await moreRuns(4);
    expect(digests(staff[0].email)).toHaveLength(2);
    expect(a.mail.find({ to: staff[1].email })).toHaveLength(2);

    const stages = await a.dataSource.getRepository(CompanyAffiliation).find({ order: { submittedAt: 'ASC' } });
    expect(stages.map((s) => s.reminderStage)).toEqual([2, 2, 0]);
  });
});

describe('Changing VALIDATION_DIGEST_EVERY_MS', () => {
  let first: TestApp;
  let second: TestApp | undefined;

  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  it('replaces the stored schedule at start instead of adding a second one', async () => {
    first = await createTestApp({ env: { VALIDATION_DIGEST_EVERY_MS: '600000' } });
    const queue = new Bull(VALIDATION_DIGEST_JOB, TEST_REDIS_URL, { prefix: first.env.QUEUE_PREFIX });
    try {
      expect((await queue.getRepeatableJobs()).map((j) => Number(j.every))).toEqual([600000]);
      // A redeploy with another interval, on the same Redis.
      second = await createTestApp({ shareWith: first, env: { VALIDATION_DIGEST_EVERY_MS: '1200000' } });
      expect((await queue.getRepeatableJobs()).map((j) => Number(j.every))).toEqual([1200000]);
      expect((await queue.getDelayed()).map((j) => (j.opts.repeat as { every?: number } | undefined)?.every)).toEqual([1200000]);
    } finally {
      await queue.close();
    }
  });
});
