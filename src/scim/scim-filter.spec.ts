import { ScimError } from './scim-error';
import { compileFilter, FilterField, scimBoolean, setOnce } from './scim-filter';
import { USER_SCHEMA } from './scim-schemas';

interface Criteria {
  email?: string;
  externalId?: string;
  id?: string;
}

const FIELDS: Record<string, FilterField<Criteria>> = {
  id: (c, v) => setOnce(c, 'id', String(v)),
  username: (c, v) => setOnce(c, 'email', String(v).toLowerCase()),
  'emails.value': (c, v) => setOnce(c, 'email', String(v).toLowerCase()),
  'emails.type': (_c, v) => String(v).toLowerCase() === 'work',
  externalid: (c, v) => setOnce(c, 'externalId', String(v)),
};

const compile = (filter: string) => compileFilter(filter, USER_SCHEMA, FIELDS);

function scimTypeOf(run: () => unknown): string | null | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof ScimError ? error.scimType : undefined;
  }
  return undefined;
}

describe('compileFilter', () => {
  it('turns the filters directories send into criteria, one per OR-term', () => {
    expect(compile('userName eq "Ada@Example.org"')).toEqual([{ email: 'ada@example.org' }]);
    expect(compile('UserName Eq "a@x.org"')).toEqual([{ email: 'a@x.org' }]);
    expect(compile(`${USER_SCHEMA}:userName eq "a@x.org"`)).toEqual([{ email: 'a@x.org' }]);
    expect(compile('emails[type eq "work"].value eq "a@x.org"')).toEqual([{ email: 'a@x.org' }]);
    expect(compile('userName eq "a@x.org" and externalId eq "42"')).toEqual([{ email: 'a@x.org', externalId: '42' }]);
    expect(compile('id eq "1" or (externalId eq "2" and userName eq "b@x.org")')).toEqual([{ id: '1' }, { externalId: '2', email: 'b@x.org' }]);
  });

  it('drops the terms that can match nothing', () => {
    expect(compile('emails[type eq "home"].value eq "a@x.org"')).toEqual([]);
    expect(compile('userName eq "a@x.org" and userName eq "b@x.org"')).toEqual([]);
    expect(compile('userName eq "a@x.org" and userName eq "A@X.org"')).toEqual([{ email: 'a@x.org' }]);
    expect(compile('externalId eq "1" or externalId eq "2" and externalId eq "3"')).toEqual([{ externalId: '1' }]);
  });

  it('refuses other operators, attributes and malformed filters as invalidFilter', () => {
    for (const filter of ['userName co "a"', 'name.givenName eq "Ada"', 'not (userName eq "a")', 'userName pr', 'userName eq', 'userName zz "a"', ' ']) {
      expect([filter, scimTypeOf(() => compile(filter))]).toEqual([filter, 'invalidFilter']);
    }
  });
});

describe('scimBoolean', () => {
  it("reads Entra ID's capitalised strings", () => {
    expect([scimBoolean('False'), scimBoolean('TRUE'), scimBoolean(true), scimBoolean('no'), scimBoolean(1)]).toEqual([
      false,
      true,
      true,
      undefined,
      undefined,
    ]);
  });
});
