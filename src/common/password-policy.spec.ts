import { passwordProblem } from './password-policy';

describe('passwordProblem', () => {
  it('accepts a long unusual passphrase', () => {
    expect(passwordProblem('correct horse battery staple', 'ada@example.org')).toBeNull();
  });

  it('counts code points, not UTF-16 units', () => {
    // 7 emoji are 14 UTF-16 units but 7 characters: too short.
    expect(passwordProblem('😀😀😀😀😀😀😀')).toMatch(/at least 8/);
    expect(passwordProblem('😀😀😀😀😀😀😀😀')).toBeNull();
    expect(passwordProblem('é'.repeat(128))).toBeNull();
    expect(passwordProblem('é'.repeat(129))).toMatch(/at most 128/);
  });

  it('has no composition rules', () => {
    expect(passwordProblem('zqxjvkwpmhtr')).toBeNull();
  });

  it('refuses the most common passwords, whatever the case', () => {
    expect(passwordProblem('password1')).toMatch(/too common/);
    expect(passwordProblem('Iloveyou')).toMatch(/too common/);
    expect(passwordProblem('qwertyuiop')).toMatch(/too common/);
  });

  it('refuses the email address or its local part', () => {
    expect(passwordProblem('Ada.Lovelace@Example.org', 'ada.lovelace@example.org')).toMatch(/email/);
    expect(passwordProblem('ada.lovelace', 'ada.lovelace@example.org')).toMatch(/email/);
  });
});
