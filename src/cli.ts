import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { loadDotEnv } from './config/dotenv';
import { ConfigError, loadEnv } from './config/env';
import { dataSourceFromEnv } from './database/data-source';
import { runMigrations } from './database/migrator.service';

/**
 * Operator commands: `npm run cli -- <command>`.
 *   migration:run      apply pending migrations
 *   migration:revert   revert the last applied migration
 *   migration:show     list migrations and whether they are applied
 *   create-staff <email>
 *                      create a staff account (or promote an existing one); on a
 *                      terminal it asks for the password, otherwise it generates
 *                      one and prints it once
 *   openapi [file]     write the OpenAPI document (default openapi.json)
 */
const COMMANDS: Record<string, (args: string[]) => Promise<void>> = {
  'migration:run': async () => {
    const ds = await dataSourceFromEnv(loadEnv().database).initialize();
    try {
      await runMigrations(ds, { log: (m: string) => console.log(m) });
      console.log('Database is up to date');
    } finally {
      await ds.destroy();
    }
  },
  'migration:revert': async () => {
    const ds = await dataSourceFromEnv(loadEnv().database).initialize();
    try {
      await ds.undoLastMigration({ transaction: 'each' });
      console.log('Reverted the last migration');
    } finally {
      await ds.destroy();
    }
  },
  'migration:show': async () => {
    const ds = await dataSourceFromEnv(loadEnv().database).initialize();
    try {
      const rows = await ds.query<Array<{ name: string }>>(`SELECT name FROM migrations`).catch(() => []);
      const applied = new Set(rows.map((r) => r.name));
      for (const m of ds.migrations) console.log(`${applied.has(m.name!) ? '[X]' : '[ ]'} ${m.name}`);
    } finally {
      await ds.destroy();
    }
  },
};

async function askHidden(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const output = rl as unknown as { _writeToOutput: (s: string) => void; output: NodeJS.WritableStream };
  let asked = false;
  output._writeToOutput = (s: string) => {
    if (!asked) {
      output.output.write(s);
      asked = true;
    }
  };
  const answer = await new Promise<string>((resolve) => rl.question(question, resolve));
  rl.close();
  process.stdout.write('\n');
  return answer;
}

COMMANDS['create-staff'] = async ([email]) => {
  if (!email) throw new Error('Usage: npm run cli -- create-staff <email>');
  process.env.RUN_WORKERS = 'false';
  process.env.LOG_LEVEL ??= 'warn';
  const env = loadEnv();
  let password: string | null = process.stdin.isTTY ? await askHidden(`Password for ${email} (empty to generate one): `) : null;
  const generated = !password;
  if (!password) password = randomBytes(18).toString('base64url');
  const { NestFactory } = await import('@nestjs/core');
  const { AppModule } = await import('./app.module');
  const { StaffService } = await import('./users/staff.service');
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(env), { logger: ['error', 'warn'] });
  try {
    const result = await app.get(StaffService).createOrPromote(email, password, 'cli');
    if (result.outcome === 'unchanged') console.log(`${email} is already staff: nothing changed`);
    else if (result.outcome === 'promoted') console.log(`${email} already had an account: it is now staff, its password is unchanged`);
    else if (generated) console.log(`Staff account created: ${email}\nPassword (shown once): ${password}`);
    else console.log(`Staff account created: ${email}`);
  } finally {
    await app.close();
  }
};

COMMANDS.openapi = async ([out = 'openapi.json']) => {
  // The document needs the app's routes, not its data: boot on a throwaway embedded database.
  const dir = mkdtempSync(join(tmpdir(), 'oktonine-openapi-'));
  for (const key of ['REDIS_URL', 'SMTP_URL', 'BOOTSTRAP_STAFF_EMAIL', 'BOOTSTRAP_STAFF_PASSWORD']) delete process.env[key];
  Object.assign(process.env, { DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`, MAIL_DIR: join(dir, 'mail'), LOG_LEVEL: 'silent', RUN_WORKERS: 'false' });
  const env = loadEnv();
  const { NestFactory } = await import('@nestjs/core');
  const { AppModule } = await import('./app.module');
  const { configureApp, openApiDocuments } = await import('./app.setup');
  const app = await NestFactory.create(AppModule.forRoot(env), { logger: ['error'] });
  try {
    configureApp(app);
    writeFileSync(out, `${JSON.stringify(openApiDocuments.get(app), null, 2)}\n`);
    console.log(`OpenAPI document written to ${out}`);
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
};

export function registerCommand(name: string, run: (args: string[]) => Promise<void>) {
  COMMANDS[name] = run;
}

async function main() {
  loadDotEnv();
  const [command, ...args] = process.argv.slice(2);
  const run = command ? COMMANDS[command] : undefined;
  if (!run) {
    console.error(`Usage: npm run cli -- <${Object.keys(COMMANDS).join(' | ')}> [args]`);
    process.exit(2);
  }
  try {
    await run(args);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}

if (require.main === module) void main();
