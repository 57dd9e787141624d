import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { DB, Organization } from '../../db/schema.js';

export function organizationRepository(db: Kysely<DB>) {
  return {
    findBySlug(slug: string): Promise<Organization | undefined> {
      return db.selectFrom('organizations').selectAll().where('slug', '=', slug).executeTakeFirst();
    },
    findById(id: string): Promise<Organization | undefined> {
      return db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async insert(row: {
      id: string;
      slug: string;
      name: string;
      branding: object;
      portal_settings: object;
      allowed_origins: string[];
      now: Date;
    }): Promise<Organization> {
      return db
        .insertInto('organizations')
        .values({
          id: row.id,
          slug: row.slug,
          name: row.name,
          branding: JSON.stringify(row.branding),
          portal_settings: JSON.stringify(row.portal_settings),
          allowed_origins: JSON.stringify(row.allowed_origins),
          created_at: row.now,
          updated_at: row.now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    },
    async update(
      id: string,
      patch: { name?: string; branding?: object; portal_settings?: object; allowed_origins?: string[]; billing_settings?: object },
      now: Date,
    ): Promise<Organization> {
      return db
        .updateTable('organizations')
        .set({
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.branding !== undefined ? { branding: JSON.stringify(patch.branding) } : {}),
          ...(patch.portal_settings !== undefined ? { portal_settings: JSON.stringify(patch.portal_settings) } : {}),
          ...(patch.allowed_origins !== undefined ? { allowed_origins: JSON.stringify(patch.allowed_origins) } : {}),
          ...(patch.billing_settings !== undefined ? { billing_settings: JSON.stringify(patch.billing_settings) } : {}),
          updated_at: now,
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
    },
    /** Whether any organization allows this origin: the answer to a CORS preflight. */
    async anyAllowsOrigin(origin: string): Promise<boolean> {
      const row = await db
        .selectFrom('organizations')
        .select('id')
        .where(sql<boolean>`allowed_origins @> ${JSON.stringify([origin])}::jsonb`)
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    },
    async insertApiKey(row: { id: string; organization_id: string; name: string; key_hash: string; key_hint: string; now: Date }) {
      await db
        .insertInto('api_keys')
        .values({
          id: row.id,
          organization_id: row.organization_id,
          name: row.name,
          key_hash: row.key_hash,
          key_hint: row.key_hint,
          created_at: row.now,
        })
        .execute();
    },
    async revokeApiKeysNamed(organizationId: string, name: string, now: Date) {
      await db
        .updateTable('api_keys')
        .set({ revoked_at: now })
        .where('organization_id', '=', organizationId)
        .where('name', '=', name)
        .where('revoked_at', 'is', null)
        .execute();
    },
    findOrganizationByKeyHash(keyHash: string): Promise<Organization | undefined> {
      return db
        .selectFrom('api_keys')
        .innerJoin('organizations', 'organizations.id', 'api_keys.organization_id')
        .selectAll('organizations')
        .where('api_keys.key_hash', '=', keyHash)
        .where('api_keys.revoked_at', 'is', null)
        .executeTakeFirst();
    },
  };
}
export type OrganizationRepository = ReturnType<typeof organizationRepository>;
