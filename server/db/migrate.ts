import { readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { Database } from './client.js';

export const migrationsDir = fileURLToPath(new URL('./migrations/', import.meta.url));

export function migrationFiles(): Array<{ name: string; sql: string }> {
  return readdirSync(migrationsDir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((name) => ({ name, sql: readFileSync(join(migrationsDir, name), 'utf8') }));
}

/** A fingerprint of every migration; test databases are cached under it. */
export function migrationsHash(): string {
  const hash = createHash('sha256');
  for (const m of migrationFiles()) hash.update(m.name).update(m.sql);
  return hash.digest('hex').slice(0, 16);
}

/**
 * Applies the SQL files in order, each once, each in its own transaction, on one connection.
 * An advisory lock keeps two instances starting together from applying the same file twice.
 */
export async function migrate(database: Database): Promise<string[]> {
  return database.db.connection().execute(async (conn) => {
    const applied: string[] = [];
    await sql`SELECT pg_advisory_lock(7243901)`.execute(conn);
    try {
      await sql.raw('CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())').execute(conn);
      const done = new Set((await conn.selectFrom('schema_migrations').select('name').execute()).map((r) => r.name));
      for (const m of migrationFiles()) {
        if (done.has(m.name)) continue;
        const name = m.name.replace(/'/g, "''");
        try {
          await sql.raw(`BEGIN;\n${m.sql}\n;INSERT INTO schema_migrations (name) VALUES ('${name}');\nCOMMIT;`).execute(conn);
        } catch (error) {
          await sql
            .raw('ROLLBACK')
            .execute(conn)
            .catch(() => undefined);
          throw new Error(`Migration ${m.name} failed: ${(error as Error).message}`, { cause: error });
        }
        applied.push(m.name);
      }
    } finally {
      await sql`SELECT pg_advisory_unlock(7243901)`.execute(conn);
    }
    return applied;
  });
}
