import { Projection } from './scim-projection';
import { ENTERPRISE_USER_SCHEMA, USER_SCHEMA } from './scim-schemas';

const user = {
  schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
  id: 'u1',
  userName: 'ada@example.org',
  name: { givenName: 'Ada', familyName: 'Lovelace' },
  emails: [
    { value: 'ada@example.org', type: 'work', primary: true },
    { value: 'ada@home.example', type: 'home' },
  ],
  [ENTERPRISE_USER_SCHEMA]: { department: 'Sciences', employeeNumber: '42' },
  meta: { resourceType: 'User' },
};

const project = (query: { attributes?: string; excludedAttributes?: string }) => Projection.of(query, USER_SCHEMA).apply(user);

describe('Projection', () => {
  it('returns everything without attributes or excludedAttributes', () => {
    expect(project({})).toEqual(user);
  });

  it('keeps only the attributes asked for (names case-insensitive, URN-qualified, one sub-attribute level), and always schemas and id', () => {
    expect(project({ attributes: 'USERNAME' })).toEqual({ schemas: user.schemas, id: 'u1', userName: 'ada@example.org' });
    expect(project({ attributes: 'name.givenName,emails.value' })).toEqual({
      schemas: user.schemas,
      id: 'u1',
      name: { givenName: 'Ada' },
      emails: [{ value: 'ada@example.org' }, { value: 'ada@home.example' }],
    });
    expect(project({ attributes: 'emails.value,emails.type' }).emails).toEqual([
      { value: 'ada@example.org', type: 'work' },
      { value: 'ada@home.example', type: 'home' },
    ]);
    expect(project({ attributes: `${USER_SCHEMA}:userName,${ENTERPRISE_USER_SCHEMA}:department` })).toEqual({
      schemas: user.schemas,
      id: 'u1',
      userName: 'ada@example.org',
      [ENTERPRISE_USER_SCHEMA]: { department: 'Sciences' },
    });
    expect(project({ attributes: 'nothing' })).toEqual({ schemas: user.schemas, id: 'u1' });
  });

  it('removes excluded attributes, never id or schemas; attributes wins over excludedAttributes', () => {
    const { emails: _e, meta: _m, ...rest } = user;
    expect(project({ excludedAttributes: 'emails,meta,id,schemas' })).toEqual(rest);
    expect(project({ excludedAttributes: `name.familyName,${ENTERPRISE_USER_SCHEMA}:employeeNumber` })).toMatchObject({
      name: { givenName: 'Ada' },
      [ENTERPRISE_USER_SCHEMA]: { department: 'Sciences' },
    });
    expect(project({ attributes: 'userName', excludedAttributes: 'userName' })).toEqual({ schemas: user.schemas, id: 'u1', userName: 'ada@example.org' });
  });

  it('says whether a top-level attribute will be returned', () => {
    expect(Projection.of({ excludedAttributes: 'members' }, USER_SCHEMA).returns('members')).toBe(false);
    expect(Projection.of({ attributes: 'members.value' }, USER_SCHEMA).returns('members')).toBe(true);
    expect(Projection.of({ attributes: 'displayName' }, USER_SCHEMA).returns('members')).toBe(false);
    expect(Projection.of({}, USER_SCHEMA).returns('members')).toBe(true);
  });
});
