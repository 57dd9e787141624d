import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { DB } from '../../db/schema.js';
import { statementTemplate } from '../../lib/statement-template.js';

/**
 * Read versions (migration 0015): one counter per customer and per organization, advanced at the
 * commit of every change to a row a portal view shows, and '*', advanced by a TRUNCATE of any of
 * those tables. "customer:organization:*", 0 for one never changed since the migration.
 */
/** The id TRUNCATE advances: part of every version. */
const ALL = '*';

export function readVersionsRepository(db: Kysely<DB>) {
  // Built and compiled once: this statement is all a view read again costs.
  const versions = statementTemplate(db, (a: { customerId: string; organizationId: string }) =>
    db.selectFrom('read_versions').select(['id', 'version']).where('id', 'in', [a.customerId, a.organizationId, ALL]),
  );
  return {
    /** The customer's and the organization's versions now, by their primary key: one indexed read. */
    async current(organizationId: string, customerId: string): Promise<string> {
      const { rows } = await versions('pair', { customerId, organizationId });
      let customer = '0';
      let organization = '0';
      let all = '0';
      for (const row of rows) {
        if (row.id === customerId) customer = String(row.version);
        else if (row.id === organizationId) organization = String(row.version);
        else all = String(row.version);
      }
      return `${customer}:${organization}:${all}`;
    },
  };
}

/**
 * The same "customer:organization:*" versions as a column of another statement (the session's
 * look-up reads them with the session, so a request that reads the session needs no other read).
 */
export function readVersionsColumn(customerIdColumn: string, organizationIdColumn: string) {
  const of = (id: ReturnType<typeof sql>) => sql`coalesce((SELECT rv.version FROM read_versions rv WHERE rv.id = ${id}), 0)`;
  return sql<string>`(${of(sql.ref(customerIdColumn))} || ':' || ${of(sql.ref(organizationIdColumn))} || ':' || ${of(sql.lit(ALL))})`;
}
