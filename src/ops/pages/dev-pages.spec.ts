import { appUrlIsThisApi, devMailEnabled, devPagesEnabled, isLocalRequest, isLoopbackAddress } from './dev-pages';
import { escapeHtml, linkify } from './html';

describe('development pages', () => {
  it('are served when APP_URL is this API on a loopback address, outside production', () => {
    expect(appUrlIsThisApi('http://localhost:3000', 3000)).toBe(true);
    expect(appUrlIsThisApi('http://127.0.0.1:8080', 8080)).toBe(true);
    expect(appUrlIsThisApi('http://localhost:3000', 4000)).toBe(false);
    expect(appUrlIsThisApi('https://app.oktonine.example', 443)).toBe(false);
    expect(appUrlIsThisApi('http://localhost:3000/app', 3000)).toBe(false);
    expect(devPagesEnabled({ nodeEnv: 'development', appUrl: 'http://localhost:3000', port: 3000 })).toBe(true);
    expect(devPagesEnabled({ nodeEnv: 'production', appUrl: 'http://localhost:3000', port: 3000 })).toBe(false);
  });

  it('/dev/mail: embedded mail only, never in production, only to this machine', () => {
    expect(devMailEnabled({ nodeEnv: 'development', smtpUrl: null })).toBe(true);
    expect(devMailEnabled({ nodeEnv: 'development', smtpUrl: 'smtp://mailpit:1025' })).toBe(false);
    expect(devMailEnabled({ nodeEnv: 'production', smtpUrl: null })).toBe(false);
    expect(isLoopbackAddress('127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('192.168.1.20')).toBe(false);
    expect(isLoopbackAddress(undefined)).toBe(false);
  });

  it('take a request as local only from a loopback socket, for a loopback Host, not forwarded by a proxy', () => {
    const req = (remoteAddress: string, headers: Record<string, string>) => ({ socket: { remoteAddress }, headers });
    expect(isLocalRequest(req('127.0.0.1', { host: 'localhost:3000' }))).toBe(true);
    expect(isLocalRequest(req('::1', { host: '[::1]:3000' }))).toBe(true);
    expect(isLocalRequest(req('::ffff:127.0.0.1', { host: '127.0.0.1' }))).toBe(true);
    expect(isLocalRequest(req('10.0.0.7', { host: 'localhost:3000' }))).toBe(false);
    // DNS rebinding: a remote page resolving its own name to 127.0.0.1 sends that name as Host.
    expect(isLocalRequest(req('127.0.0.1', { host: 'attacker.example:3000' }))).toBe(false);
    expect(isLocalRequest(req('127.0.0.1', {}))).toBe(false);
    // A reverse proxy on this machine: every client would look local.
    expect(isLocalRequest(req('127.0.0.1', { host: 'localhost:3000', 'x-forwarded-for': '203.0.113.9' }))).toBe(false);
    expect(isLocalRequest(req('127.0.0.1', { host: 'localhost:3000', forwarded: 'for=203.0.113.9' }))).toBe(false);
  });

  it('quote text as HTML and make only its http(s) links clickable', () => {
    expect(escapeHtml(`<b a="1">'&`)).toBe('&#60;b a=&#34;1&#34;&#62;&#39;&#38;');
    expect(linkify('Open http://localhost:3000/verify-email?token=a-b_c now <script>')).toBe(
      'Open <a href="http://localhost:3000/verify-email?token=a-b_c">http://localhost:3000/verify-email?token=a-b_c</a> now &#60;script&#62;',
    );
    expect(linkify('javascript:alert(1)')).toBe('javascript:alert(1)');
  });
});
