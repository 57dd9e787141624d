// Portal answers kept in this process and served again while they are provably what a fresh
// read would answer (docs/decisions.md, "Portal answers cached, proven fresh by read versions"):
// the same customer, scope and address, the same read versions (so no change to anything the
// view shows was committed since, by any process), and younger than `maxAgeMs` (what changes
// with time alone: refunds priced to the second, credits that expire, usage summed to now).
import type { Clock } from '../../lib/clock.js';
import type { readVersionsRepository } from './repository.js';

export interface PortalCacheDeps {
  repo: ReturnType<typeof readVersionsRepository>;
  clock: Clock;
  /** How long an answer may be served again at most; 0 turns the cache off. */
  maxAgeMs: number;
  /** The answers kept, in bytes of JSON at most (the least recently served go first). */
  maxBytes: number;
}

/** What the session read (`PortalAuth`) gives the cache. */
export interface CacheSession {
  organizationId: string;
  customerId: string;
  /** The read versions read with the session ("customer:organization:*"). */
  readVersions: string;
  /** The session was read by this request: its versions are current, no read needed. */
  fresh: boolean;
}

interface Entry {
  /** Where it is kept (organization, customer, key). */
  key: string;
  versions: string;
  /** The clock when the answer's computation began. */
  at: number;
  /** The JSON, UTF-8. */
  body: Buffer;
  /** The same compressed, by encoding, made when first asked for. */
  encoded: Map<string, Buffer>;
  bytes: number;
}

/** An answer: its JSON, and its compressed forms (kept with it when the answer is kept). */
export interface Answer {
  body: Buffer;
  /**
   * The session's versions are behind the database's (another process changed the customer or
   * the organization): the caller forgets the cached session, so the next request reads it, and
   * its rows, afresh and its answer can be kept again.
   */
  sessionStale: boolean;
  encoded(encoding: string, encode: (raw: Buffer) => Promise<Buffer>): Promise<Buffer>;
}

export function portalCache(deps: PortalCacheDeps) {
  const { repo, clock, maxAgeMs, maxBytes } = deps;
  const entries = new Map<string, Entry>();
  let bytes = 0;
  /** Answers being computed, by key and versions: simultaneous misses compute once. */
  const computing = new Map<string, Promise<Entry>>();

  const drop = (key: string) => {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    bytes -= entry.bytes;
  };
  const trim = () => {
    for (const oldest of entries.keys()) {
      if (bytes <= maxBytes) break;
      drop(oldest);
    }
  };
  let swept = 0;
  const keep = (key: string, entry: Entry) => {
    drop(key);
    // Answers past their age leave memory within one more age, served or not.
    if (entry.at - swept >= maxAgeMs) {
      swept = entry.at;
      for (const [k, e] of entries) if (entry.at - e.at >= maxAgeMs || e.at > entry.at) drop(k);
    }
    if (entry.bytes > maxBytes / 8) return;
    entries.set(key, entry);
    bytes += entry.bytes;
    trim();
  };
  /** Its compressed form, made once; counted in the budget while the answer is kept. */
  async function encoded(entry: Entry, encoding: string, encode: (raw: Buffer) => Promise<Buffer>) {
    let packed = entry.encoded.get(encoding);
    if (packed) return packed;
    packed = await encode(entry.body);
    if (entry.encoded.has(encoding)) return entry.encoded.get(encoding)!;
    entry.encoded.set(encoding, packed);
    entry.bytes += packed.length;
    if (entries.get(entry.key) === entry) {
      bytes += packed.length;
      trim();
    }
    return packed;
  }
  const answerOf = (entry: Entry, sessionStale = false): Answer => ({
    body: entry.body,
    sessionStale,
    encoded: (encoding, encode) => encoded(entry, encoding, encode),
  });
  const make = (key: string, versions: string, at: number, json: string): Entry => {
    const body = Buffer.from(json);
    return { key, versions, at, body, encoded: new Map(), bytes: body.length };
  };

  return {
    /**
     * The JSON answer for `key` (the customer's view at one address, with whatever of the session
     * it shows): kept, or computed now. Kept only when computed from a session read at the versions
     * now current: a session read earlier (another process changed the customer since) may carry
     * an older customer or organization row, which the answer would then keep.
     */
    async answer(session: CacheSession, key: string, compute: () => Promise<unknown>): Promise<Answer> {
      if (maxAgeMs <= 0) return answerOf(make('', '', 0, JSON.stringify(await compute())));
      const versions = session.fresh ? session.readVersions : await repo.current(session.organizationId, session.customerId);
      const now = clock.now().getTime();
      const fullKey = `${session.organizationId}\u0000${session.customerId}\u0000${key}`;
      const entry = entries.get(fullKey);
      if (entry && entry.versions === versions && now >= entry.at && now - entry.at < maxAgeMs) {
        // Served: the most recently used, last out.
        entries.delete(fullKey);
        entries.set(fullKey, entry);
        return answerOf(entry);
      }
      const storable = versions === session.readVersions;
      const pendingKey = `${fullKey}\u0000${versions}`;
      const pending = storable ? computing.get(pendingKey) : undefined;
      if (pending) {
        return answerOf(await pending);
      }
      const work = (async () => {
        const at = clock.now().getTime();
        const made = make(fullKey, versions, at, JSON.stringify(await compute()));
        if (storable) keep(fullKey, made);
        return made;
      })();
      if (storable) computing.set(pendingKey, work);
      try {
        const made = await work;
        return answerOf(made, !storable);
      } finally {
        if (storable) computing.delete(pendingKey);
      }
    },
  };
}
