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
import { isDatabaseUnavailable, openPostgres, type Database } from './client.js';

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
    (error) => /cached plan must not change result type/.test(String(error)) && isDatabaseUnavailable(error),
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

const testUrl = () => {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
};
type Accounts = { accounts: { id: string; owner: string; balance: number; note?: string | null } };
const kdb = (d: Database) => d.db as unknown as import('kysely').Kysely<{ things: { id: string; label: string } } & Accounts>;
const labelOf = async (d: Database, id: string) => (await kdb(d).selectFrom('things').select('label').where('id', '=', id).executeTakeFirst())?.label;
const preparedNames = async (d: Database) =>
  (await sql<{ name: string }>`SELECT name FROM pg_prepared_statements ORDER BY prepare_time`.execute(d.db)).rows.map((r) => r.name);

test('every connection names its statements with a random prefix of its own (two processes never share a name)', async () => {
  const one = await openPostgres(testUrl(), 1);
  const two = await openPostgres(testUrl(), 1);
  try {
    assert.equal(await labelOf(one, 'a'), 'first');
    assert.equal(await labelOf(two, 'a'), 'first');
    const [mine] = await preparedNames(one);
    const [theirs] = await preparedNames(two);
    assert.match(mine ?? '', /^cp_[0-9a-f]{8}_0$/);
    assert.match(theirs ?? '', /^cp_[0-9a-f]{8}_0$/);
    assert.notEqual(mine, theirs, 'the same statement in two pools has two names');
  } finally {
    await one.close();
    await two.close();
  }
});

test('a statement the backend no longer has (26000, as behind a pooler) still answers; the connection runs unnamed from then on', async () => {
  const d = await openPostgres(testUrl(), 1);
  try {
    assert.equal(await labelOf(d, 'a'), 'first');
    assert.equal((await preparedNames(d)).length, 1);
    // Behind the pool's back, as a pooler handing the connection another backend would.
    await sql`DEALLOCATE ALL`.execute(d.db);
    assert.equal(await labelOf(d, 'a'), 'first');
    assert.equal(await labelOf(d, 'b'), 'second');
    assert.equal((await kdb(d).selectFrom('things').select('id').where('label', '=', 'first').executeTakeFirst())?.id, 'a');
    assert.deepEqual(await preparedNames(d), [], 'nothing is prepared on that connection any more');
  } finally {
    await d.close();
  }
});

test('inside a transaction a lost statement fails that transaction as a 503 (retry later); the next one answers', async () => {
  const d = await openPostgres(testUrl(), 1);
  try {
    assert.equal(await labelOf(d, 'b'), 'second');
    await sql`DEALLOCATE ALL`.execute(d.db);
    await assert.rejects(
      kdb(d)
        .transaction()
        .execute((trx) => trx.selectFrom('things').select('label').where('id', '=', 'b').executeTakeFirst()),
      (error) => (error as { code?: string }).code === '26000' && isDatabaseUnavailable(error),
    );
    const label = await kdb(d)
      .transaction()
      .execute(async (trx) => (await trx.selectFrom('things').select('label').where('id', '=', 'b').executeTakeFirst())?.label);
    assert.equal(label, 'second');
    assert.deepEqual(await preparedNames(d), []);
  } finally {
    await d.close();
  }
});

/** The reviewer's scenario: two prepared `SELECT *`s on a table, a migration adds a column, then transactions read both. */
test('after a migration under two prepared SELECT *s one transaction answers 503, the next ones succeed on every connection, and the old statements are freed', async () => {
  const admin = new pg.Client({ connectionString: testUrl() });
  await admin.connect();
  await admin.query(`CREATE TABLE accounts (id text PRIMARY KEY, owner text NOT NULL, balance int NOT NULL)`);
  await admin.query(`INSERT INTO accounts VALUES ('acc1', 'ann', 500)`);
  const d = await openPostgres(testUrl(), 2);
  // Both connections busy at once, so each prepares both statements.
  const both = () => {
    let arrived = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const one = () =>
      kdb(d)
        .transaction()
        .execute(async (trx) => {
          const byId = await trx.selectFrom('accounts').selectAll().where('id', '=', 'acc1').executeTakeFirst();
          if (++arrived === 2) release();
          await gate;
          const byOwner = await trx.selectFrom('accounts').selectAll().where('owner', '=', 'ann').execute();
          const prepared = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_prepared_statements`.execute(trx);
          return { byId, byOwner, prepared: prepared.rows[0]?.n };
        })
        .finally(release);
    return Promise.all([one(), one()]);
  };
  try {
    const before = await both();
    assert.deepEqual(
      before.map((r) => r.prepared),
      [2, 2],
    );
    await admin.query('ALTER TABLE accounts ADD COLUMN note text');
    const single = () =>
      kdb(d)
        .transaction()
        .execute(async (trx) => {
          const byId = await trx.selectFrom('accounts').selectAll().where('id', '=', 'acc1').executeTakeFirst();
          const byOwner = await trx.selectFrom('accounts').selectAll().where('owner', '=', 'ann').execute();
          return { byId, byOwner };
        });
    // Postgres aborted this one: the server answers 503 with Retry-After, not 500.
    await assert.rejects(single(), (error) => isDatabaseUnavailable(error));
    const row = { id: 'acc1', owner: 'ann', balance: 500, note: null };
    // The next ones succeed, on both connections: the first error made the whole pool forget its names.
    const after = await both();
    for (const r of after) {
      assert.deepEqual(r.byId, row);
      assert.deepEqual(r.byOwner, [row]);
    }
    assert.deepEqual(await single(), { byId: row, byOwner: [row] });
    // The replaced statements were deallocated: each backend holds only the two current ones.
    const counts = await both();
    assert.deepEqual(
      counts.map((r) => r.prepared),
      [2, 2],
    );
  } finally {
    await d.close();
    await admin.end();
  }
});
