// Several lists in one SQL statement: each query becomes a JSON array column of one
// `SELECT` (Kysely's jsonArrayFrom), so a portal view reads what it shows in a fixed number of
// statements however many rows there are (issue 15: at most 4 per view). JSON carries
// timestamps as ISO strings; `revive` turns the named columns back into Dates, so the rows are
// the ones a plain query returns (int8 arrive as JSON numbers, jsonb as objects, as before).
import type { Expression, Kysely } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import { statementTemplate, type TemplateArgs } from './statement-template.js';

type Lists<Q extends Record<string, Expression<unknown>>> = { [K in keyof Q]: Array<Record<string, unknown>> };

/** One statement: `SELECT (json of q1) AS k1, (json of q2) AS k2, …`. */
export async function selectLists<Q extends Record<string, Expression<unknown>>>(db: Kysely<any>, queries: Q): Promise<Lists<Q>> {
  const columns = Object.entries(queries).map(([name, query]) => jsonArrayFrom(query).as(name));
  if (columns.length === 0) return {} as Lists<Q>;
  return (await db.selectNoFrom(columns).executeTakeFirstOrThrow()) as Lists<Q>;
}

/**
 * selectLists as a statement template (lib/statement-template.ts): `build` makes the queries
 * from `args` alone, and the statement is built and compiled once per `shape` (what decides
 * which lists there are), not on every request.
 */
export function listsTemplate<A extends TemplateArgs, Q extends Record<string, Expression<unknown>>>(db: Kysely<any>, build: (args: A) => Q) {
  const run = statementTemplate(db, (args: A) => db.selectNoFrom(Object.entries(build(args)).map(([name, query]) => jsonArrayFrom(query).as(name))));
  return async (shape: string, args: A): Promise<Lists<Q>> => (await run(shape, args)).rows[0] as Lists<Q>;
}

/** Rows from a JSON column with their timestamp columns as Dates again. */
export function revive<T>(rows: unknown, dates: readonly string[]): T[] {
  return (rows as Array<Record<string, unknown>>).map((row) => {
    const out: Record<string, unknown> = { ...row };
    for (const key of dates) {
      const value = out[key];
      if (typeof value === 'string') out[key] = new Date(value);
    }
    return out as T;
  });
}
