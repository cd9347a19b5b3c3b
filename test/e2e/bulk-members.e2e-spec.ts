import { randomUUID } from 'node:crypto';
import { AuditEntry } from '../../src/audit/entities/audit-entry.entity';
import { Membership, MembershipRole } from '../../src/memberships/entities/membership.entity';
import { seedInstitute, seedMembership, seedUser, signedIn } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

describe('Bulk member actions', () => {
  let t: TestApp;
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  async function school() {
    const institute = await seedInstitute(t);
    const manager = await signedIn(t);
    const coManager = await seedUser(t);
    const teacher = await signedIn(t);
    await seedMembership(t, manager.id, institute.id, MembershipRole.Manager);
    await seedMembership(t, coManager.id, institute.id, MembershipRole.Manager);
    await seedMembership(t, teacher.id, institute.id, MembershipRole.Teacher);
    const students = [];
    for (let i = 0; i < 3; i++) {
      const s = await seedUser(t);
      await seedMembership(t, s.id, institute.id, MembershipRole.Student);
      students.push(s);
    }
    return { id: institute.id, manager, coManager, teacher, students };
  }
  const membership = (userId: string, instituteId: string) => t.dataSource.getRepository(Membership).findOneBy({ userId, instituteId });

  it('sets the group and department of many members in one request, each change audited, unknown members reported', async () => {
    const s = await school();
    const outsider = await seedUser(t);
    const res = await t
      .http()
      .post(`/api/institutes/${s.id}/members/bulk`)
      .set(as(s.manager.token))
      .send({ action: 'update', userIds: [s.students[0].id, s.students[1].id, outsider.id], group: '4C', department: 'Sciences' })
      .expect(200);
    expect(res.body).toEqual({ updated: 2, failed: [{ userId: outsider.id, code: 'MEMBER_NOT_FOUND' }] });
    for (const st of s.students.slice(0, 2)) expect(await membership(st.id, s.id)).toMatchObject({ group: '4C', department: 'Sciences', role: 'student' });
    expect((await membership(s.students[2].id, s.id))?.group).toBeNull();
    const audit = await t.dataSource.getRepository(AuditEntry).findBy({ action: 'member.updated', instituteId: s.id, actorId: s.manager.id });
    expect(audit.map((a) => a.targetId).sort()).toEqual([s.students[0].id, s.students[1].id].sort());
  });

  it('changes roles but never leaves the institute without an active manager (LAST_MANAGER for that member only)', async () => {
    const s = await school();
    const res = await t
      .http()
      .post(`/api/institutes/${s.id}/members/bulk`)
      .set(as(s.manager.token))
      .send({ action: 'update', userIds: [s.coManager.id, s.manager.id, s.students[0].id], role: 'teacher' })
      .expect(200);
    expect(res.body).toEqual({ updated: 2, failed: [{ userId: s.manager.id, code: 'LAST_MANAGER' }] });
    expect((await membership(s.coManager.id, s.id))?.role).toBe('teacher');
    expect((await membership(s.manager.id, s.id))?.role).toBe('manager');
    expect((await membership(s.students[0].id, s.id))?.role).toBe('teacher');
    expect(await t.dataSource.getRepository(AuditEntry).countBy({ action: 'member.role_changed', instituteId: s.id })).toBe(2);
    await t.mail.waitFor({ to: s.students[0].email, subject: /role|rôle/i });
  });

  it('detaches many members at once, keeping the last manager', async () => {
    const s = await school();
    await t
      .http()
      .post(`/api/institutes/${s.id}/members/bulk`)
      .set(as(s.manager.token))
      .send({ action: 'update', userIds: [s.coManager.id], role: 'student' })
      .expect(200);
    const res = await t
      .http()
      .post(`/api/institutes/${s.id}/members/bulk`)
      .set(as(s.manager.token))
      .send({ action: 'detach', userIds: [s.students[0].id, s.manager.id, s.students[1].id] })
      .expect(200);
    expect(res.body).toEqual({ updated: 2, failed: [{ userId: s.manager.id, code: 'LAST_MANAGER' }] });
    expect(await membership(s.students[0].id, s.id)).toBeNull();
    expect(await membership(s.students[1].id, s.id)).toBeNull();
    expect(await membership(s.manager.id, s.id)).not.toBeNull();
    expect(await t.dataSource.getRepository(AuditEntry).countBy({ action: 'member.removed', instituteId: s.id })).toBe(2);
  });

  it('managers only, of their institute; the body is validated', async () => {
    const s = await school();
    const other = await school();
    const url = `/api/institutes/${s.id}/members/bulk`;
    const body = { action: 'detach', userIds: [s.students[0].id] };
    await t.http().post(url).set(as(s.teacher.token)).send(body).expect(403);
    await t.http().post(url).set(as(other.manager.token)).send(body).expect(404);
    await t.http().post(url).set(as(s.manager.token)).send({ action: 'detach', userIds: [] }).expect(400);
    await t
      .http()
      .post(url)
      .set(as(s.manager.token))
      .send({ action: 'update', userIds: [s.students[0].id] })
      .expect(400);
    await t
      .http()
      .post(url)
      .set(as(s.manager.token))
      .send({ action: 'promote', userIds: [s.students[0].id] })
      .expect(400);
    await t
      .http()
      .post(url)
      .set(as(s.manager.token))
      .send({ action: 'detach', userIds: Array.from({ length: 1001 }, () => randomUUID()) })
      .expect(400);
    expect(await membership(s.students[0].id, s.id)).not.toBeNull();
  });
});
