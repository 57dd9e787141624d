// Fresh, migrated databases for tests: PGlite by default, a real Postgres when
// TEST_DATABASE_URL is set. Each call gets its own empty database.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPGlite, openPostgres, type Database } from '../db/client.js';
import { migrate, migrationsHash } from '../db/migrate.js';

const cacheDir = join(process.cwd(), '.test-cache');

/** initdb is slow (≈2.5 s); a migrated data dir is dumped once and loaded per test (≈0.4 s). */
async function pgliteFromCache(): Promise<Database> {
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
  return openPGlite({ loadDataDir: blob });
}

async function postgresDatabase(adminUrl: string): Promise<Database> {
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
    const db = await openPostgres(withDatabase(adminUrl, name), 5);
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

export async function testDatabase(): Promise<Database> {
  const url = process.env.TEST_DATABASE_URL;
  return url ? postgresDatabase(url) : pgliteFromCache();
}
