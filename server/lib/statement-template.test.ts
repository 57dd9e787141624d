// Statement templates (statement-template.ts): built once per shape, run with each call's values,
// and refused when the builder bakes a value in. PGlite by default, Postgres with TEST_DATABASE_URL.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/client.js';
import { onStatement, testDatabase } from '../testing/database.js';
import { statementTemplate } from './statement-template.js';

type Things = { things: { id: string; owner: string; due: Date } };
let database: Database;
let db: Kysely<Things>;

before(async () => {
  database = await testDatabase();
  db = database.db as unknown as Kysely<Things>;
  await sql`CREATE TABLE things (id text PRIMARY KEY, owner text NOT NULL, due timestamptz NOT NULL)`.execute(db);
  await sql`INSERT INTO things VALUES
    ('t1', 'ann', '2026-01-10T00:00:00Z'), ('t2', 'ann', '2026-03-10T00:00:00Z'), ('t3', 'bob', '2026-02-10T00:00:00Z')`.execute(db);
});
after(() => database.close());

test('each call reads with its own values; the statement is the one the builder makes', async () => {
  const run = statementTemplate(db, (a: { owner: string; after: Date }) =>
    db.selectFrom('things').select('id').where('owner', '=', a.owner).where('due', '>', a.after).where('id', '!=', 'none').orderBy('id'),
  );
  const seen: string[] = [];
  const stop = onStatement(db, (text) => seen.push(text));
  const ann = await run('one', { owner: 'ann', after: new Date('2026-02-01T00:00:00Z') });
  const annAll = await run('one', { owner: 'ann', after: new Date('2025-12-01T00:00:00Z') });
  const bob = await run('one', { owner: 'bob', after: new Date('2025-12-01T00:00:00Z') });
  stop();
  assert.deepEqual(
    ann.rows.map((r) => r.id),
    ['t2'],
  );
  assert.deepEqual(
    annAll.rows.map((r) => r.id),
    ['t1', 't2'],
  );
  assert.deepEqual(
    bob.rows.map((r) => r.id),
    ['t3'],
  );
  const direct = db
    .selectFrom('things')
    .select('id')
    .where('owner', '=', 'x')
    .where('due', '>', new Date())
    .where('id', '!=', 'none')
    .orderBy('id')
    .compile().sql;
  assert.deepEqual(seen, [direct, direct, direct]);
});

test('a value derived from an argument is refused when the template is made, not baked in', async () => {
  const run = statementTemplate(db, (a: { owner: string; after: Date }) =>
    db
      .selectFrom('things')
      .select('id')
      .where('owner', '=', a.owner)
      .where('due', '>', new Date(a.after.getTime() - 86_400_000)),
  );
  await assert.rejects(run('one', { owner: 'ann', after: new Date() }), /parameter 2 is derived from an argument/);
  const prefix = statementTemplate(db, (a: { owner: string }) => db.selectFrom('things').select('id').where('owner', 'like', `${a.owner}%`));
  await assert.rejects(prefix('one', { owner: 'a' }), /parameter 1 is derived from an argument/);
});

test('SQL whose shape depends on an argument is refused', async () => {
  const run = statementTemplate(db, (a: { owner: string }) => db.selectFrom('things').select(sql.raw<string>(`'${a.owner}'`).as('x')));
  await assert.rejects(run('one', { owner: 'ann' }), /the SQL depends on an argument/);
});
