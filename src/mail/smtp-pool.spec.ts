import { pooledSmtpUrl } from './mail.module';
import { SMTP_CONNECTIONS } from './mail.types';

describe('pooledSmtpUrl', () => {
  it('turns pooling on with SMTP_CONNECTIONS connections, keeping credentials and other options', () => {
    const url = new URL(pooledSmtpUrl('smtps://user:p%40ss@relay.example:465/?name=oktonine'));
    expect(url.protocol).toBe('smtps:');
    expect(url.username).toBe('user');
    expect(url.password).toBe('p%40ss');
    expect(url.searchParams.get('pool')).toBe('true');
    expect(url.searchParams.get('maxConnections')).toBe(String(SMTP_CONNECTIONS));
    expect(url.searchParams.get('name')).toBe('oktonine');
  });

  it("leaves the URL's own pool and maxConnections alone", () => {
    const url = new URL(pooledSmtpUrl('smtp://relay.example:25?pool=false&maxConnections=2'));
    expect(url.searchParams.get('pool')).toBe('false');
    expect(url.searchParams.get('maxConnections')).toBe('2');
  });
});
