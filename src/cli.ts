import 'reflect-metadata';
import { ConfigError, loadEnv } from './config/env';
import { createDataSource } from './database/data-source';
import { runMigrations } from './database/migrator.service';

/**
 * Operator commands: `npm run cli -- <command>`.
 *   migration:run      apply pending migrations
 *   migration:revert   revert the last applied migration
 *   migration:show     list migrations and whether they are applied
 */
const COMMANDS: Record<string, (args: string[]) => Promise<void>> = {
  'migration:run': async () => {
    const ds = await createDataSource(loadEnv().database).initialize();
    try {
      await runMigrations(ds, { log: (m: string) => console.log(m) });
      console.log('Database is up to date');
    } finally {
      await ds.destroy();
    }
  },
  'migration:revert': async () => {
    const ds = await createDataSource(loadEnv().database).initialize();
    try {
      await ds.undoLastMigration({ transaction: 'each' });
      console.log('Reverted the last migration');
    } finally {
      await ds.destroy();
    }
  },
  'migration:show': async () => {
    const ds = await createDataSource(loadEnv().database).initialize();
    try {
      const applied = new Set<string>(
        (await ds.query(`SELECT name FROM migrations`).catch(() => [])).map((r: { name: string }) => r.name),
      );
      for (const m of ds.migrations) console.log(`${applied.has(m.name!) ? '[X]' : '[ ]'} ${m.name}`);
    } finally {
      await ds.destroy();
    }
  },
};

export function registerCommand(name: string, run: (args: string[]) => Promise<void>) {
  COMMANDS[name] = run;
}

async function main() {
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
