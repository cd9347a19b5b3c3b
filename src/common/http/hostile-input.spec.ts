import { jsonNestsDeeperThan } from './hostile-input';

describe('jsonNestsDeeperThan', () => {
  const nested = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);

  it('counts object and array levels', () => {
    expect(jsonNestsDeeperThan(Buffer.from(nested(32)), 32)).toBe(false);
    expect(jsonNestsDeeperThan(Buffer.from(nested(33)), 32)).toBe(true);
    expect(jsonNestsDeeperThan(Buffer.from('['.repeat(33) + ']'.repeat(33)), 32)).toBe(true);
    expect(jsonNestsDeeperThan(Buffer.from('[{"a":[1,2,{"b":[]}]},[],[[]]]'), 5)).toBe(false);
    expect(jsonNestsDeeperThan(Buffer.from('[{"a":[1,2,{"b":[]}]},[],[[]]]'), 4)).toBe(true);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    const text = JSON.stringify({ s: '[[[[{{{{"\\"[[[[' + '['.repeat(100) });
    expect(jsonNestsDeeperThan(Buffer.from(text), 2)).toBe(false);
    expect(jsonNestsDeeperThan(Buffer.from(JSON.stringify({ s: 'a\\', t: [[[]]] })), 3)).toBe(true);
  });

  it('depth goes back down between siblings', () => {
    const siblings = '[' + Array.from({ length: 100 }, () => '[[[]]]').join(',') + ']';
    expect(jsonNestsDeeperThan(Buffer.from(siblings), 4)).toBe(false);
  });
});
