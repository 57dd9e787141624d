import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, type KyselyConfig } from 'kysely';
import pg from 'pg';
import type { DB } from './schema.js';

/** The one query layer: Kysely over either an embedded PGlite or a real Postgres pool. */
export interface Database {
  db: Kysely<DB>;
  kind: 'pglite' | 'postgres';
  /** Connections of the pool (Postgres only), for metrics. */
  poolStats?: () => { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}

// int8 (counts, money) as JS numbers on both drivers; amounts stay far below 2^53.
const INT8 = 20;

/**
 * A database that is down or restarting, as opposed to a query that is wrong: the server
 * answers 503 database_unavailable (with Retry-After) and carries on; the pool reconnects by
 * itself once Postgres is back.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  const code = typeof e.code === 'string' ? e.code : '';
  // Connection exceptions (08…), shutdown and not-yet-accepting (57P01-57P03), and the socket errors of a refused or dropped connection.
  // A transaction that used a prepared statement the backend no longer matches (client.ts,
  // preparedStatements): Postgres rolled it back and the connection has stopped using those names,
  // so the same request a moment later succeeds.
  if (isChangedResultType(e) || code === '26000' || code === '42P05') return true;
  if (/^08/.test(code) || ['57P01', '57P02', '57P03', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN'].includes(code)) return true;
  const message = typeof e.message === 'string' ? e.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connect ECONNREFUSED/i.test(message);
}

/** Kysely's log hook: sees every statement on every connection, inside transactions too (the tests count statements with it). */
export type StatementLog = KyselyConfig['log'];

export async function openPostgres(
  connectionString: string,
  max = 10,
  onIdleError?: (error: Error) => void,
  log?: StatementLog,
  options: { preparedStatements?: boolean } = {},
): Promise<Database> {
  const pool = new pg.Pool({
    connectionString,
    max,
    // While Postgres is down a request waits at most this long for a connection, then gets a 503.
    connectionTimeoutMillis: 5000,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8 ? Number : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection that Postgres closes (a restart, a failover, an idle timeout) is an
  // 'error' event on the pool; without a listener it would end the process. The pool drops
  // that connection and opens a new one on the next query.
  pool.on('error', (error) => onIdleError?.(error));
  // The same for a connection that is checked out between two queries (inside a transaction):
  // pg emits the error on the client itself, where the pool has no listener; unheard, it ends the
  // process. Heard here, the transaction's next query fails (503) and the pool drops the client.
  // Bumped when a connection finds a table changed under a prepared statement: every connection forgets its names.
  const prepared = { generation: 0 };
  pool.on('connect', (client) => {
    client.on('error', (error) => onIdleError?.(error));
    if (options.preparedStatements !== false) preparedStatements(client, prepared);
  });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }), ...(log ? { log } : {}) });
  return {
    db,
    kind: 'postgres',
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    async close() {
      await db.destroy();
    },
  };
}

/** Distinct statements a connection keeps prepared (each keeps its plan in the Postgres backend: ≈0.7 MB for the overview's lists statement, a few KB for a look-up); any further ones run unnamed, planned each time. */
export const PREPARED_PER_CONNECTION = 250;

/**
 * Every statement with parameters runs as a named prepared statement of its connection: Postgres
 * plans it for its first five runs, then keeps a generic plan when that is no worse, and stops
 * planning it. The portal views' statements cost far more to plan than to run (the subscriptions'
 * lists statement: ≈1.6–5 ms of planning, ≈0.6 ms of execution; the session look-up 0.7 ms of
 * planning for 0.09 ms of work, measured with pg_stat_statements.track_planning under the bench's
 * load), so unnamed statements spent most of Postgres's CPU on planning (docs/decisions.md).
 *
 * Names are per connection, at most PREPARED_PER_CONNECTION: a statement's text → `cp_<8 random
 * hex>_<n>`. The random part differs on every connection of every process, so a pooler that sends
 * one client's Bind to a backend prepared by another client fails loudly ("does not exist", 26000,
 * or "already exists", 42P05) instead of running that client's statement of the same name. On
 * either error the connection stops preparing (it runs unnamed from then on) and the query runs
 * again unnamed when it was outside a transaction.
 *
 * A table changed under a prepared `SELECT *` (a migration run by a newer instance) makes Postgres
 * refuse it ("cached plan must not change result type", 0A000). The first such error, on any
 * connection, makes every connection of the pool forget all its names (`pool.generation`): the
 * other `SELECT *`s would fail the same way. A connection frees the forgotten statements on the
 * backend (DEALLOCATE ALL) when it is next outside a transaction, and runs unnamed until then. The
 * query runs again when it was outside a transaction; inside one, the transaction is lost (Postgres
 * aborted it) and the error answers 503 with Retry-After (isDatabaseUnavailable): the callbacks of
 * `db.transaction()` are not retried here, as some have effects outside the database.
 */
function preparedStatements(client: pg.PoolClient, pool: { generation: number }): void {
  const query = client.query.bind(client) as (config: pg.QueryConfig) => Promise<pg.QueryResult>;
  const plain = client.query.bind(client) as (...args: unknown[]) => Promise<pg.QueryResult>;
  const prefix = `cp_${randomBytes(4).toString('hex')}_`;
  const names = new Map<string, string>();
  let next = 0;
  // 26000/42P05 seen: something else (a pooler) owns this connection's names; run unnamed.
  let off = false;
  let generation = pool.generation;
  // Names forgotten whose statements the backend still holds, until a DEALLOCATE ALL outside a transaction.
  let allocated = false;
  const idle = () => client.getTransactionStatus() === 'I';
  const forget = () => {
    names.clear();
    allocated = true;
  };
  const deallocate = async () => {
    allocated = false;
    await plain('DEALLOCATE ALL');
  };
  const run = (text: string, values: unknown[]): Promise<pg.QueryResult> => {
    if (off || allocated) return plain(text, values);
    let name = names.get(text);
    if (name === undefined) {
      if (names.size >= PREPARED_PER_CONNECTION) return plain(text, values);
      name = `${prefix}${next++}`;
      names.set(text, name);
    }
    return query({ name, text, values }).catch(async (error: { code?: string; message?: string }) => {
      if (error?.code === '26000' || error?.code === '42P05') {
        off = true;
        allocated = false;
        names.clear();
        if (idle()) return plain(text, values);
        throw error;
      }
      if (!isChangedResultType(error)) throw error;
      pool.generation++;
      generation = pool.generation;
      forget();
      if (!idle()) throw error;
      await deallocate();
      return run(text, values);
    });
  };
  const send = (text: string, values: unknown): Promise<pg.QueryResult> =>
    Array.isArray(values) && values.length > 0 ? run(text, values) : plain(text, values);
  client.query = ((text: unknown, values?: unknown, callback?: unknown) => {
    if (typeof text !== 'string' || callback !== undefined) return plain(text, values, callback);
    if (generation !== pool.generation) {
      generation = pool.generation;
      if (!off) forget();
    }
    // Before any statement outside a transaction (a BEGIN too: a connection may only ever run transactions).
    if (allocated && idle()) return deallocate().then(() => send(text, values));
    return send(text, values);
  }) as typeof client.query;
}

/** A prepared statement whose table changed under it (a migration): Postgres refuses it rather than answer other columns. */
function isChangedResultType(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  return e?.code === '0A000' && typeof e.message === 'string' && /cached plan must not change result type/.test(e.message);
}

/**
 * Postgres settings of the embedded database. PGlite keeps a server's shared_buffers (128 MB);
 * Postgres writes all of its shared memory at start and a WASM memory never gives pages back, so
 * all 128 MB stayed resident. 16 MB holds the demo database (≈11 MB with the catalog); the OS page
 * cache serves the rest of a larger one. Given on every start (the command line wins over a data
 * dir's postgresql.conf, so one made by an earlier version gets it too) and to initdb (written
 * into postgresql.conf).
 */
export const PGLITE_SETTINGS = ['-c', 'shared_buffers=16MB'];

export async function openPGlite(options: { dataDir?: string; loadDataDir?: Blob | File; log?: StatementLog } = {}): Promise<Database & { pglite: PGlite }> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const pglite = await PGlite.create({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    startParams: [...PGlite.defaultStartParams, ...PGLITE_SETTINGS],
    initDbStartParams: PGLITE_SETTINGS,
    parsers: { [INT8]: Number },
  });
  return wrapPGlite(pglite, options.log);
}

export function wrapPGlite(pglite: PGlite, log?: StatementLog): Database & { pglite: PGlite } {
  const pool = new PGlitePool(pglite);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: pool as unknown as pg.Pool }), ...(log ? { log } : {}) });
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
