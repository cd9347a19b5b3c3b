import { ScimError } from './scim-error';
import { applyPatch, ScimTarget, standardise, storedOnly } from './scim-input';
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, GroupSchema, PATCH_OP_SCHEMA, USER_SCHEMA, UserSchema } from './scim-schemas';

const DEPARTMENT = `${ENTERPRISE_USER_SCHEMA}:department`;
const USERS: ScimTarget = {
  schema: UserSchema,
  extensions: [ENTERPRISE_USER_SCHEMA],
  kept: new Set(['username', 'name', 'externalid', 'active', 'roles', DEPARTMENT.toLowerCase()]),
};
const GROUPS: ScimTarget = { schema: GroupSchema, extensions: [], kept: new Set(['displayname', 'externalid', 'members']) };

const user = {
  schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
  userName: 'ada@example.org',
  name: { givenName: 'Ada', familyName: 'Lovelace' },
  active: true,
  roles: [{ value: 'student', primary: true }],
  [ENTERPRISE_USER_SCHEMA]: { department: 'Sciences' },
};

const patch = (resource: Record<string, unknown>, target: ScimTarget, ...Operations: object[]) =>
  applyPatch(resource, { schemas: [PATCH_OP_SCHEMA], Operations }, target);

async function scimTypeOf(run: () => Promise<unknown>): Promise<string | null | undefined> {
  try {
    await run();
  } catch (error) {
    return error instanceof ScimError ? error.scimType : undefined;
  }
  return undefined;
}

describe('applyPatch', () => {
  it('applies Entra ID\'s operations: capitalised ops, value paths, URN paths, "False" strings', async () => {
    const patched = await patch(
      user,
      USERS,
      { op: 'Replace', path: 'active', value: 'False' },
      { op: 'Replace', path: 'name.familyName', value: 'King' },
      { op: 'Add', path: DEPARTMENT, value: 'Mathematics' },
      { op: 'Replace', path: 'roles[primary eq "True"].value', value: 'teacher' },
    );
    expect(patched).toMatchObject({
      active: false,
      name: { givenName: 'Ada', familyName: 'King' },
      roles: [{ value: 'teacher', primary: true }],
      [ENTERPRISE_USER_SCHEMA]: { department: 'Mathematics' },
    });
  });

  it('applies operations without path, keeping only what is stored', async () => {
    const patched = await patch(user, USERS, {
      op: 'replace',
      value: { active: false, 'name.givenName': 'Augusta', nickName: 'Ada', [ENTERPRISE_USER_SCHEMA]: { employeeNumber: '1' } },
    });
    expect(patched).toMatchObject({ active: false, name: { givenName: 'Augusta' }, [ENTERPRISE_USER_SCHEMA]: { department: 'Sciences' } });
    expect(patched).not.toHaveProperty('nickName');
  });

  it('drops operations on attributes nobody stores (which scimmy would answer noTarget), refuses undeclared ones', async () => {
    expect(
      await patch(user, USERS, { op: 'Add', path: 'phoneNumbers[type eq "work"].value', value: '+33' }, { op: 'replace', path: 'title', value: 'Dr' }),
    ).toEqual(user);
    expect(await scimTypeOf(() => patch(user, USERS, { op: 'replace', path: 'shoeSize', value: 42 }))).toBe('invalidPath');
    expect(await scimTypeOf(() => patch(user, USERS, { op: 'replace', path: 'active', value: 'perhaps' }))).toBe('invalidValue');
    expect(await scimTypeOf(() => patch(user, USERS, { op: 'move', path: 'active', value: true }))).toBe('invalidSyntax');
  });

  it('adds and removes group members as Entra ID and Okta send them', async () => {
    const group = { schemas: [GROUP_SCHEMA], displayName: '3B', members: [{ value: 'u1' }, { value: 'u2' }] };
    expect((await patch(group, GROUPS, { op: 'Add', path: 'members', value: [{ value: 'u3' }] })).members).toEqual([
      { value: 'u1' },
      { value: 'u2' },
      { value: 'u3' },
    ]);
    expect((await patch(group, GROUPS, { op: 'Remove', path: 'members', value: [{ value: 'u1' }] })).members).toEqual([{ value: 'u2' }]);
    expect((await patch(group, GROUPS, { op: 'remove', path: 'members[value eq "u2"]' })).members).toEqual([{ value: 'u1' }]);
    expect(await patch(group, GROUPS, { op: 'replace', value: { id: 'g1', displayName: '3C' } })).toMatchObject({ displayName: '3C' });
  });
});

describe('storedOnly and standardise', () => {
  it('keeps what is stored of a body, with booleans and roles made what scimmy accepts', () => {
    const body = {
      schemas: [USER_SCHEMA],
      userName: 'a@x.org',
      active: 'True',
      phoneNumbers: [{ type: 'mobile', value: '1' }],
      unknown: 1,
      roles: [{ value: 'teacher', type: 'WindowsAzureActiveDirectoryRole', primary: 'True' }],
      [ENTERPRISE_USER_SCHEMA]: { department: 'D', employeeNumber: '7' },
    };
    expect(storedOnly(body, USERS)).toEqual({
      schemas: [USER_SCHEMA],
      userName: 'a@x.org',
      active: true,
      roles: [{ value: 'teacher', primary: true }],
      [ENTERPRISE_USER_SCHEMA]: { department: 'D' },
    });
    expect(standardise({ emails: [{ primary: 'false' }] }, null)).toEqual({ emails: [{ primary: false }] });
  });
});
