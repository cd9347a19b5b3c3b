import { isEmail } from 'class-validator';
import { isEmailAddress } from './email';

/** A small deterministic generator (mulberry32), so a failure names a reproducible case. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('isEmailAddress', () => {
  it('agrees with class-validator isEmail (what @IsEmail() accepts) around every length limit', () => {
    const next = random(42);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)];
    const letters = ['a', 'z', '0', '.', '-', '_', '+', 'é', 'ß', '中', '😀', '"', ' ', '@', 'Ａ'];
    const text = (n: number) => Array.from({ length: n }, () => (next() < 0.99 ? 'a' : pick(letters))).join('');
    const label = () => text(pick([1, 2, 20, 62, 63, 64, 65]));
    let agreed = 0;
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const local = text(pick([0, 1, 10, 21, 32, 63, 64, 65, 66]));
      const labels = Array.from({ length: pick([1, 2, 3, 4, 5]) }, label);
      const tld = pick(['org', 'fr', 'c', 'xn--p1ai', '123', 'org.']);
      const email = pick(['', '', '', 'x@']) + `${local}@${[...labels, tld].join('.')}`;
      let expected: boolean;
      try {
        expected = isEmail(email, {});
      } catch {
        continue; // encodeURI's URIError: not a case the rule decides
      }
      expect([email, isEmailAddress(email)]).toEqual([email, expected]);
      agreed += 1;
      if (expected) accepted += 1;
    }
    // Both answers occur often.
    expect(agreed).toBeGreaterThan(19_000);
    expect(accepted).toBeGreaterThan(1_000);
    expect(agreed - accepted).toBeGreaterThan(2_000);
  });

  it.each([
    ['a'.repeat(64) + '@example.org', true],
    ['a'.repeat(65) + '@example.org', false],
    ['é'.repeat(32) + '@example.org', true],
    ['é'.repeat(33) + '@example.org', false],
    [`ada@${'a'.repeat(63)}.org`, true],
    [`ada@${'a'.repeat(64)}.org`, false],
    [`ada@${Array.from({ length: 4 }, () => 'a'.repeat(60)).join('.')}.org`, true],
    // 254 characters at most, but 260 bytes after the @
    [`ada@${'é'.repeat(60)}.${'é'.repeat(60)}.${'é'.repeat(10)}.org`, false],
    ['ada@example', false],
    ['no-at-sign.example.org', false],
    ['\ud800@example.org', false],
  ])('%s → %s', (email, expected) => {
    expect(isEmailAddress(email)).toBe(expected);
  });
});
