import { ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, AddressInfo } from 'node:net';
import { join } from 'node:path';

/** A port free right now (for a server that must know its own URL before it starts). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A private RSA JWK set of one key, as an IdP publishes the public half. */
export function rsaJwks(kid = randomUUID()): { keys: Array<Record<string, unknown>> } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { keys: [{ ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] };
}

export interface OidcClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
}

/** The test OpenID provider (test/support/oidc-idp.mjs, oidc-provider) in its own process. */
export class OidcIdp {
  private child: ChildProcess | null = null;
  private out = '';

  private constructor(
    readonly port: number,
    private readonly clients: OidcClient[],
    private jwks: { keys: Array<Record<string, unknown>> },
  ) {}

  get issuer(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(clients: OidcClient[]): Promise<OidcIdp> {
    const idp = new OidcIdp(await freePort(), clients, rsaJwks());
    await idp.spawn();
    return idp;
  }

  private async spawn(): Promise<void> {
    this.out = '';
    const child = spawn(process.execPath, [join(__dirname, 'oidc-idp.mjs')], {
      env: {
        PATH: process.env.PATH ?? '',
        PORT: String(this.port),
        ISSUER: this.issuer,
        JWKS: JSON.stringify(this.jwks),
        CLIENTS: JSON.stringify(this.clients.map((c) => ({ ...c, grant_types: ['authorization_code'], response_types: ['code'] }))),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout.on('data', (d) => (this.out += d));
    child.stderr.on('data', (d) => (this.out += d));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`OpenID provider did not start:\n${this.out}`)), 30000);
      child.stdout.on('data', () => {
        if (this.out.includes('ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`OpenID provider exited with ${code}:\n${this.out}`));
      });
    });
  }

  /** The IdP rotates its signing key: a new key (new kid) from now on, the old one withdrawn. */
  async rotateKeys(): Promise<void> {
    await this.stop();
    this.jwks = rsaJwks();
    await this.spawn();
  }

  get kid(): string {
    return String(this.jwks.keys[0].kid);
  }

  async setAccount(sub: string, claims: Record<string, unknown>): Promise<void> {
    await this.post('/test/accounts', { sub, claims });
  }

  async tamper(mode: 'claims' | 'other-key' | 'alg-none' | 'hs256-public-key' | null, claims?: Record<string, unknown>): Promise<void> {
    await this.post('/test/tamper', { mode, claims });
  }

  private async post(path: string, body: unknown): Promise<void> {
    const res = await fetch(`${this.issuer}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    if (res.status !== 204) throw new Error(`${path}: ${res.status}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

/**
 * A browser as far as sign-in needs one: keeps cookies per host, follows
 * redirects, submits the forms pages show (filling the fields it is given),
 * and stops at the first URL under `stopAt` (the frontend) without loading it.
 */
export class Browser {
  private readonly cookies = new Map<string, Map<string, string>>();

  constructor(private readonly stopAt: string) {}

  /** Follows from `url` until the frontend; returns the frontend URL reached. */
  async run(url: string, fields: Record<string, string> = {}, maxSteps = 20): Promise<URL> {
    let next: { url: string; method: 'GET' | 'POST'; body?: URLSearchParams } = { url, method: 'GET' };
    for (let step = 0; step < maxSteps; step++) {
      if (next.url.startsWith(this.stopAt)) return new URL(next.url);
      const res = await this.fetch(next.url, next.method, next.body);
      if (res.status >= 300 && res.status < 400) {
        next = { url: new URL(res.headers.get('location')!, next.url).href, method: 'GET' };
        continue;
      }
      const html = await res.text();
      const form = /<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
      if (res.status !== 200 || !form) throw new Error(`${next.method} ${next.url}: ${res.status} ${html.slice(0, 500)}`);
      const body = new URLSearchParams();
      for (const input of form[2].matchAll(/<input([^>]*)>/gi)) {
        const name = /name="([^"]*)"/.exec(input[1])?.[1];
        if (!name) continue;
        body.set(name, fields[name] ?? decode(/value="([^"]*)"/.exec(input[1])?.[1] ?? ''));
      }
      next = { url: new URL(decode(form[1]), next.url).href, method: 'POST', body };
    }
    throw new Error(`No frontend redirect after ${maxSteps} steps`);
  }

  /** One request with this browser's cookies, redirects not followed. */
  async fetch(url: string, method: 'GET' | 'POST' = 'GET', body?: URLSearchParams): Promise<Response> {
    const { host } = new URL(url);
    const jar = this.cookies.get(host) ?? new Map<string, string>();
    this.cookies.set(host, jar);
    const res = await fetch(url, {
      method,
      redirect: 'manual',
      headers: {
        ...(jar.size ? { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body,
    });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(cookie) || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  }
}

function decode(text: string): string {
  return text
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
}
