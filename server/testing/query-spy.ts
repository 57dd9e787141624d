// Counts the SQL a piece of work sends through the app's Kysely instance (outside
// transactions, which get their own executor): "refused before any query" made checkable.
import type { Kysely } from 'kysely';

export function spyOnQueries(db: Kysely<any>) {
  const executor = db.getExecutor() as unknown as { executeQuery: (query: { sql: string }, ...rest: unknown[]) => Promise<unknown> };
  const original = executor.executeQuery;
  const seen: string[] = [];
  let on = false;
  executor.executeQuery = function (query, ...rest) {
    if (on) seen.push(query.sql);
    return original.call(this, query, ...rest);
  };
  return {
    /** The SQL sent while `work` ran. */
    async during<T>(work: () => Promise<T>): Promise<{ result: T; sql: string[] }> {
      seen.length = 0;
      on = true;
      try {
        const result = await work();
        return { result, sql: [...seen] };
      } finally {
        on = false;
      }
    },
    restore() {
      executor.executeQuery = original;
    },
  };
}
