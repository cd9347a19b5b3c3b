import { SecretBox } from './secret-box';

describe('SecretBox', () => {
  it('opens what it sealed, and nothing sealed under another key or altered', () => {
    const box = new SecretBox('k'.repeat(32));
    const sealed = box.seal('client-secret');
    expect(sealed).not.toContain('client-secret');
    expect(box.open(sealed)).toBe('client-secret');
    expect(box.seal('client-secret')).not.toBe(sealed);
    expect(() => new SecretBox('x'.repeat(32)).open(sealed)).toThrow();
    const [v, iv, tag, data] = sealed.split('.');
    const flipped = Buffer.from(data, 'base64url');
    flipped[0] ^= 1;
    expect(() => box.open([v, iv, tag, flipped.toString('base64url')].join('.'))).toThrow();
  });
});
