// The hosted pages' single-use tokens: "open" (in the iframe's URL, traded once) and "confirm"
// (what the page holds afterwards). Only their hashes are stored.
import type { Insertable, Kysely } from 'kysely';
import type { DB, HostedTokensTable } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { randomToken, sha256 } from '../../lib/crypto.js';
import { newId } from '../../lib/ids.js';

export type HostedTokenKind = 'open' | 'confirm';

export interface HostedTokenGrant {
  organization_id: string;
  customer_id: string;
  parent_origin: string;
  make_default: boolean;
  setup_intent_id?: string | null;
  payment_id?: string | null;
}

export function hostedTokenRepository(db: Kysely<DB>) {
  return {
    insert: (row: Insertable<HostedTokensTable>) => db.insertInto('hosted_tokens').values(row).execute(),
    byHash: (kind: HostedTokenKind, hash: string) =>
      db.selectFrom('hosted_tokens').selectAll().where('token_hash', '=', hash).where('kind', '=', kind).executeTakeFirst(),
    /** Marks it used unless it already was; true when this call did. */
    async claim(id: string, now: Date) {
      const row = await db
        .updateTable('hosted_tokens')
        .set({ used_at: now })
        .where('id', '=', id)
        .where('used_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      return Boolean(row);
    },
    markUsed: (id: string, now: Date) => db.updateTable('hosted_tokens').set({ used_at: now }).where('id', '=', id).execute(),
  };
}

export function hostedTokenService(repo: ReturnType<typeof hostedTokenRepository>, clock: Clock) {
  /** A live token of `kind` (not used, not expired), else undefined. */
  async function find(kind: HostedTokenKind, token: string) {
    const row = await repo.byHash(kind, sha256(token));
    if (!row || row.used_at || row.expires_at <= clock.now()) return undefined;
    return row;
  }
  return {
    /** A new token for `grant`, valid `ttl` ms; the token itself is returned once and never stored. */
    async issue(kind: HostedTokenKind, grant: HostedTokenGrant, ttl: number) {
      const token = randomToken(kind === 'open' ? 'hpo' : 'hpc');
      const now = clock.now();
      const expires = new Date(now.getTime() + ttl);
      await repo.insert({
        id: newId('ht', now.getTime()),
        kind,
        token_hash: sha256(token),
        ...grant,
        setup_intent_id: grant.setup_intent_id ?? null,
        payment_id: grant.payment_id ?? null,
        expires_at: expires,
        created_at: now,
      });
      return { token, expires_at: expires };
    },
    find,
    /** Trades a single-use token: its row if this call was the one that used it, else undefined. */
    async spend(kind: HostedTokenKind, token: string) {
      const row = await find(kind, token);
      if (!row || !(await repo.claim(row.id, clock.now()))) return undefined;
      return row;
    },
    /** Done with it (the page finished). */
    markUsed: (row: { id: string }) => repo.markUsed(row.id, clock.now()),
  };
}
export type HostedTokenService = ReturnType<typeof hostedTokenService>;
