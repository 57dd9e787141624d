// Fresh, migrated databases for tests: PGlite by default, a real Postgres when
// TEST_DATABASE_URL is set. Each call gets its own empty database.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Kysely, LogEvent } from 'kysely';
import { openPGlite, openPostgres, type Database, type StatementLog } from '../db/client.js';
import { migrate, migrationsHash } from '../db/migrate.js';

const cacheDir = join(process.cwd(), '.test-cache');

/** initdb is slow (≈2.5 s); a migrated data dir is dumped once and loaded per test (≈0.4 s). */
async function pgliteFromCache(log: StatementLog): Promise<Database> {
  const file = join(cacheDir, `pglite-${migrationsHash()}.tar.gz`);
  if (!existsSync(file)) {
    const fresh = await openPGlite();
    await migrate(fresh);
    const dump = await fresh.pglite.dumpDataDir('gzip');
    mkdirSync(cacheDir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
    renameSync(tmp, file);
    await fresh.close();
  }
  const blob = new Blob([readFileSync(file)]);
  return openPGlite({ loadDataDir: blob, log });
}

async function postgresDatabase(adminUrl: string, log: StatementLog): Promise<Database> {
  const template = `cp_template_${migrationsHash()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query('SELECT pg_advisory_lock(88112)');
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
    if (exists.rowCount === 0) {
      await admin.query(`CREATE DATABASE ${template}`);
      const db = await openPostgres(withDatabase(adminUrl, template), 1);
      await migrate(db);
      await db.close();
    }
    await admin.query('SELECT pg_advisory_unlock(88112)');
    const name = `cp_test_${randomBytes(6).toString('hex')}`;
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
    const db = await openPostgres(withDatabase(adminUrl, name), 5, undefined, log);
    return {
      ...db,
      async close() {
        await db.close();
        // Without FORCE: terminating a connection something still holds would surface as an
        // error in the test file; a database left behind dies with the throwaway cluster.
        const dropper = new pg.Client({ connectionString: adminUrl });
        await dropper.connect();
        await dropper.query(`DROP DATABASE IF EXISTS ${name}`).catch(() => undefined);
        await dropper.end();
      },
    };
  } finally {
    await admin.end();
  }
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

type StatementListener = (sql: string) => void;
const listeners = new WeakMap<Kysely<any>, Set<StatementListener>>();

/**
 * Calls `listener` with the SQL of every statement the test database's Kysely sends, from any
 * connection of the pool and inside transactions (BEGIN and COMMIT too), failed ones included:
 * Kysely's log hook, which wraps every connection the driver hands out. Returns the unsubscribe.
 */
export function onStatement(db: Kysely<any>, listener: StatementListener): () => void {
  const set = listeners.get(db);
  if (!set) throw new Error('onStatement: not a database made by testDatabase()');
  set.add(listener);
  return () => set.delete(listener);
}

export async function testDatabase(): Promise<Database> {
  const url = process.env.TEST_DATABASE_URL;
  const set = new Set<StatementListener>();
  const log = (event: LogEvent) => {
    for (const listener of set) listener(event.query.sql);
  };
  const database = url ? await postgresDatabase(url, log) : await pgliteFromCache(log);
  listeners.set(database.db, set);
  return database;
}
