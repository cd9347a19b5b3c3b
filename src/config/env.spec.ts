import { ConfigError, loadEnv, parseDatabaseUrl } from './env';

describe('loadEnv', () => {
  it('runs on the embedded defaults with nothing set', () => {
    const env = loadEnv({});
    expect(env.port).toBe(3000);
    expect(env.database).toMatchObject({ type: 'sqlite' });
    expect((env.database as { path: string }).path).toMatch(/var\/oktonine\.sqlite$/);
    expect(env.redisUrl).toBeNull();
    expect(env.smtpUrl).toBeNull();
    expect(env.mailFrom).toBe('Oktonine <no-reply@oktonine.local>');
    expect(env.appUrl).toBe('http://localhost:3000');
    expect(env.publicUrl).toBe('http://localhost:3000');
    expect(env.jwtSecretGenerated).toBe(true);
    expect(env.bootstrapStaff).toBeNull();
    expect(env.runWorkers).toBe(true);
  });

  it('has a development SSO key only in the embedded mode; a shared database or production needs SSO_SECRET_KEY', () => {
    expect(loadEnv({}).ssoSecretKey).toEqual(expect.any(String));
    expect(loadEnv({ DATABASE_URL: 'mysql://root@127.0.0.1:3306/oktonine' }).ssoSecretKey).toBeNull();
    expect(loadEnv({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) }).ssoSecretKey).toBeNull();
    expect(loadEnv({ DATABASE_URL: 'mysql://root@127.0.0.1:3306/oktonine', SSO_SECRET_KEY: 'k'.repeat(32) }).ssoSecretKey).toBe('k'.repeat(32));
  });

  it('derives the public URL from PORT when PUBLIC_URL is unset', () => {
    expect(loadEnv({ PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
  });

  it('generates one development secret per process, not per read', () => {
    expect(loadEnv({}).jwtSecret).toBe(loadEnv({}).jwtSecret);
  });

  it.each([
    [{ PORT: 'abc' }, /PORT must be an integer/],
    [{ PORT: '70000' }, /PORT must be between/],
    [{ DATABASE_URL: 'postgres://x@y/z' }, /DATABASE_URL must be mysql/],
    [{ DATABASE_URL: 'mysql://root@127.0.0.1:3306/' }, /DATABASE_URL must name a database/],
    [{ REDIS_URL: 'http://redis' }, /REDIS_URL must use redis:/],
    [{ SMTP_URL: 'not a url' }, /SMTP_URL must be a URL/],
    [{ APP_URL: 'ftp://x' }, /APP_URL must use http:/],
    [{ PUBLIC_URL: 'ftp://x' }, /PUBLIC_URL must use http:/],
    [{ SCIM_THROTTLE_LIMIT: '0' }, /SCIM_THROTTLE_LIMIT must be between/],
    [{ NODE_ENV: 'production' }, /JWT_SECRET is required when NODE_ENV=production/],
    [{ JWT_SECRET: 'short' }, /JWT_SECRET must be at least 32/],
    [{ BOOTSTRAP_STAFF_EMAIL: 'ops@example.org' }, /BOOTSTRAP_STAFF_PASSWORD is required/],
    [
      { BOOTSTRAP_STAFF_EMAIL: 'ops@example.org', BOOTSTRAP_STAFF_PASSWORD: 'short' },
      /^Invalid configuration: BOOTSTRAP_STAFF_PASSWORD must be at least 8 characters$/,
    ],
    [{ BOOTSTRAP_STAFF_EMAIL: 'ops@example.org', BOOTSTRAP_STAFF_PASSWORD: 'password123' }, /^Invalid configuration: BOOTSTRAP_STAFF_PASSWORD is too common/],
    [{ RUN_WORKERS: 'maybe' }, /RUN_WORKERS must be true or false/],
    [{ CORS_ORIGINS: 'not-an-origin' }, /CORS_ORIGINS must be/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of/],
    [{ SSO_SECRET_KEY: 'short' }, /SSO_SECRET_KEY must be at least 32/],
  ])('rejects %j with one line naming the variable', (env, message) => {
    let error: unknown;
    try {
      loadEnv(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('accepts a production configuration', () => {
    const env = loadEnv({
      NODE_ENV: 'production',
      JWT_SECRET: 'x'.repeat(40),
      DATABASE_URL: 'mysql://oktonine:secret@mysql:3306/oktonine',
      REDIS_URL: 'redis://redis:6379',
      SMTP_URL: 'smtp://mailpit:1025',
      APP_URL: 'https://app.oktonine.example/',
      PUBLIC_URL: 'https://api.oktonine.example/',
      CORS_ORIGINS: 'https://app.oktonine.example, https://sso.school.example',
      BOOTSTRAP_STAFF_EMAIL: 'Ops@Oktonine.example',
      BOOTSTRAP_STAFF_PASSWORD: 'a long enough passphrase',
    });
    expect(env.database).toEqual({ type: 'mysql', url: 'mysql://oktonine:secret@mysql:3306/oktonine', host: 'mysql', port: 3306, database: 'oktonine' });
    expect(env.appUrl).toBe('https://app.oktonine.example');
    expect(env.publicUrl).toBe('https://api.oktonine.example');
    expect(env.corsOrigins).toEqual(['https://app.oktonine.example', 'https://sso.school.example']);
    expect(env.bootstrapStaff).toEqual({ email: 'ops@oktonine.example', password: 'a long enough passphrase' });
    expect(env.jwtSecretGenerated).toBe(false);
  });
});

describe('parseDatabaseUrl', () => {
  it('resolves relative SQLite paths against the working directory', () => {
    expect(parseDatabaseUrl('sqlite:data/x.sqlite', '/srv/app')).toEqual({ type: 'sqlite', path: '/srv/app/data/x.sqlite' });
    expect(parseDatabaseUrl('sqlite:/tmp/x.sqlite', '/srv/app')).toEqual({ type: 'sqlite', path: '/tmp/x.sqlite' });
  });
});
