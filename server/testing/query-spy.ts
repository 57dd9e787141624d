// Counts the SQL a piece of work sends through a test database (testing/database.ts): every
// statement on every connection, inside transactions too. "Refused before any query" and "at
// most 4 statements per view" made checkable.
import type { Kysely } from 'kysely';
import { onStatement } from './database.js';

export function spyOnQueries(db: Kysely<any>) {
  const seen: string[] = [];
  let on = false;
  const stop = onStatement(db, (sql) => {
    if (on) seen.push(sql);
  });
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
      stop();
    },
  };
}
