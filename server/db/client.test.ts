// The Postgres pool's prepared statements (client.ts): a repeated statement is planned once per
// connection, and a table changed under a prepared `SELECT *` (a newer instance's migration)
// still answers with the new columns. Real Postgres only (PGlite has no pool): TEST_DATABASE_URL,
// or a throwaway cluster of its own.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { startPostgres } from '../../scripts/postgres.mjs';
import { openPostgres, type Database } from './client.js';

let cluster: Awaited<ReturnType<typeof startPostgres>> | undefined;
let adminUrl: string;
let database: Database;
const name = `cp_client_${randomBytes(6).toString('hex')}`;

before(async () => {
  if (process.env.TEST_DATABASE_URL) adminUrl = process.env.TEST_DATABASE_URL;
  else {
    cluster = await startPostgres();
    adminUrl = cluster.url;
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  // One connection: every statement below runs on it.
  database = await openPostgres(url.toString(), 1);
  await sql`CREATE TABLE things (id text PRIMARY KEY, label text NOT NULL)`.execute(database.db);
  await sql`INSERT INTO things VALUES ('a', 'first'), ('b', 'second')`.execute(database.db);
});

after(async () => {
  await database?.close();
  if (cluster) cluster.stop();
  else {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name}`).catch(() => undefined);
    await admin.end();
  }
});

const db = () => database.db as unknown as import('kysely').Kysely<{ things: { id: string; label: string; note?: string | null } }>;
const find = (id: string) => db().selectFrom('things').selectAll().where('id', '=', id).executeTakeFirst();

test('a statement with parameters is prepared once on its connection and answers as before', async () => {
  assert.deepEqual(await find('a'), { id: 'a', label: 'first' });
  assert.deepEqual(await find('b'), { id: 'b', label: 'second' });
  const prepared = await sql<{ statement: string }>`SELECT statement FROM pg_prepared_statements`.execute(database.db);
  const finds = prepared.rows.filter((r) => r.statement.includes('from "things" where "id" = $1'));
  assert.equal(finds.length, 1, 'the look-up is one prepared statement, used for both ids');
});

test('a column added under a prepared SELECT * is in the next answer (outside a transaction)', async () => {
  assert.deepEqual(await find('a'), { id: 'a', label: 'first' });
  await sql`ALTER TABLE things ADD COLUMN note text`.execute(database.db);
  assert.deepEqual(await find('a'), { id: 'a', label: 'first', note: null });
  assert.deepEqual(await find('b'), { id: 'b', label: 'second', note: null });
});

test('inside a transaction the changed table fails that statement once; the next transaction reads the new columns', async () => {
  assert.deepEqual(await find('b'), { id: 'b', label: 'second', note: null });
  await sql`ALTER TABLE things ADD COLUMN extra int`.execute(database.db);
  await assert.rejects(
    db()
      .transaction()
      .execute((trx) => trx.selectFrom('things').selectAll().where('id', '=', 'b').executeTakeFirst()),
    /cached plan must not change result type/,
  );
  const row = await db()
    .transaction()
    .execute((trx) => trx.selectFrom('things').selectAll().where('id', '=', 'b').executeTakeFirst());
  assert.deepEqual(row, { id: 'b', label: 'second', note: null, extra: null });
});

test('with prepared statements off (a pooler that does not keep them), nothing is prepared', async () => {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const plain = await openPostgres(url.toString(), 1, undefined, undefined, { preparedStatements: false });
  try {
    const kdb = plain.db as unknown as import('kysely').Kysely<{ things: { id: string; label: string } }>;
    assert.equal((await kdb.selectFrom('things').select('label').where('id', '=', 'a').executeTakeFirst())?.label, 'first');
    const prepared = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_prepared_statements`.execute(plain.db);
    assert.equal(prepared.rows[0]?.n, 0);
  } finally {
    await plain.close();
  }
});
