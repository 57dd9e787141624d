import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { DB } from './schema.js';

/** The one query layer: Kysely over either an embedded PGlite or a real Postgres pool. */
export interface Database {
  db: Kysely<DB>;
  kind: 'pglite' | 'postgres';
  close(): Promise<void>;
}

// int8 (counts, money) as JS numbers on both drivers; amounts stay far below 2^53.
const INT8 = 20;

export async function openPostgres(connectionString: string, max = 10): Promise<Database> {
  const pool = new pg.Pool({
    connectionString,
    max,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8 ? Number : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    kind: 'postgres',
    async close() {
      await db.destroy();
    },
  };
}

export async function openPGlite(options: { dataDir?: string; loadDataDir?: Blob | File } = {}): Promise<Database & { pglite: PGlite }> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const pglite = await PGlite.create({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    parsers: { [INT8]: Number },
  });
  return wrapPGlite(pglite);
}

export function wrapPGlite(pglite: PGlite): Database & { pglite: PGlite } {
  const pool = new PGlitePool(pglite);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: pool as unknown as pg.Pool }) });
  return {
    db,
    kind: 'pglite',
    pglite,
    async close() {
      await db.destroy();
      if (!pglite.closed) await pglite.close();
    },
  };
}

export function pgliteDataDir(dataDir: string): string {
  return join(dataDir, 'pglite');
}

/**
 * PGlite is a single connection. Kysely runs a transaction as several queries on one
 * connection, so a connection is handed out to one user at a time: queries from other
 * requests wait until the transaction is released instead of landing inside it.
 */
class PGlitePool {
  #queue: Array<() => void> = [];
  #busy = false;

  constructor(private readonly pglite: PGlite) {}

  lock(): Promise<() => void> {
    return new Promise((resolveLock) => {
      const grant = () => {
        this.#busy = true;
        let released = false;
        resolveLock(() => {
          if (released) return;
          released = true;
          const next = this.#queue.shift();
          if (next) next();
          else this.#busy = false;
        });
      };
      if (this.#busy) this.#queue.push(grant);
      else grant();
    });
  }

  async connect() {
    const release = await this.lock();
    const pglite = this.pglite;
    return {
      async query(sqlText: string, params: unknown[]) {
        // Without parameters, use the simple protocol (as pg does), so a migration script
        // with several statements runs in one call.
        const result =
          params.length === 0
            ? ((await pglite.exec(sqlText)).at(-1) ?? { rows: [], affectedRows: 0 })
            : await pglite.query<Record<string, unknown>>(sqlText, params);
        const command = /^\s*(\w+)/.exec(sqlText)?.[1]?.toUpperCase();
        return { command, rowCount: result.affectedRows ?? 0, rows: result.rows };
      },
      release,
    };
  }

  async end() {}
}

