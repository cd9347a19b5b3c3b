import { randomBytes, randomUUID } from 'node:crypto';
import * as argon2 from 'argon2';
import { ARGON2_OPTIONS } from '../../src/auth/password.service';
import { Institute, InstituteStatus } from '../../src/institutes/entities/institute.entity';
import { Membership, MembershipRole, MembershipStatus } from '../../src/memberships/entities/membership.entity';
import { foldName, normalizeEmail } from '../../src/users/email';
import { nameWordsOf } from '../../src/users/name-words';
import { User } from '../../src/users/entities/user.entity';
import { TestApp } from './test-app';
import { syncMemberSearch } from '../../src/memberships/member-search';

let counter = 0;

/** An email no other test uses. */
export function uniqueEmail(label = 'user'): string {
  counter += 1;
  return `${label}.${Date.now().toString(36)}${counter}${randomBytes(2).toString('hex')}@example.org`;
}

export const STRONG_PASSWORD = 'correct horse battery staple';

export interface SeededUser {
  id: string;
  email: string;
  password: string;
}

/** A user written straight to the database (the fixture, not the feature under test). */
export async function seedUser(
  t: TestApp,
  opts: { email?: string; password?: string | null; isStaff?: boolean; verified?: boolean; firstName?: string; lastName?: string; locale?: string } = {},
): Promise<SeededUser> {
  // Stored as the app stores it (users.email compares bytes).
  const email = normalizeEmail(opts.email ?? uniqueEmail());
  const password = opts.password === undefined ? STRONG_PASSWORD : opts.password;
  const id = randomUUID();
  await t.dataSource.getRepository(User).insert({
    id,
    email,
    firstName: opts.firstName ?? 'Test',
    lastName: opts.lastName ?? 'User',
    foldedFirstName: foldName(opts.firstName ?? 'Test'),
    foldedLastName: foldName(opts.lastName ?? 'User'),
    passwordHash: password ? await argon2.hash(password, ARGON2_OPTIONS) : null,
    isStaff: opts.isStaff ?? false,
    emailVerifiedAt: opts.verified === false ? null : new Date(),
    locale: opts.locale ?? 'en',
  });
  const nameWords = nameWordsOf(opts.firstName ?? 'Test', opts.lastName ?? 'User');
  if (nameWords.length)
    await t.dataSource.query(
      `INSERT INTO user_name_words (userId, word) VALUES ${nameWords.map(() => '(?, ?)').join(', ')}`,
      nameWords.flatMap((w) => [id, w]),
    );
  return { id, email, password: password ?? '' };
}

export async function seedInstitute(t: TestApp, name = `Institute ${randomBytes(3).toString('hex')}`, status = InstituteStatus.Active): Promise<Institute> {
  const institute = t.dataSource.getRepository(Institute).create({
    id: randomUUID(),
    name,
    searchName: name.toLowerCase(),
    city: 'Lyon',
    country: 'France',
    status,
  });
  return t.dataSource.getRepository(Institute).save(institute);
}

export async function seedMembership(t: TestApp, userId: string, instituteId: string, role: MembershipRole, status = MembershipStatus.Active): Promise<void> {
  const id = randomUUID();
  await t.dataSource.getRepository(Membership).insert({ id, userId, instituteId, role, status });
  await syncMemberSearch(t.dataSource.manager, 'id', [id]);
}

export async function login(t: TestApp, email: string, password: string): Promise<{ accessToken: string; refreshToken: string; user: { id: string } }> {
  const res = await t.http().post('/api/auth/login').send({ email, password });
  if (res.status !== 200) throw new Error(`login ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A seeded user, signed in: `{ ...user, token }`. */
export async function signedIn(t: TestApp, opts: Parameters<typeof seedUser>[1] = {}): Promise<SeededUser & { token: string }> {
  const user = await seedUser(t, opts);
  const { accessToken } = await login(t, user.email, user.password);
  return { ...user, token: accessToken };
}
