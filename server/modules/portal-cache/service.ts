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
  /** The read versions read with the session ("customer:organization"). */
  readVersions: string;
  /** The session was read by this request: its versions are current, no read needed. */
  fresh: boolean;
}

interface Entry {
  versions: string;
  /** The clock when the answer's computation began. */
  at: number;
  body: string;
}

export function portalCache(deps: PortalCacheDeps) {
  const { repo, clock, maxAgeMs, maxBytes } = deps;
  const entries = new Map<string, Entry>();
  let bytes = 0;
  /** Answers being computed, by key and versions: simultaneous misses compute once. */
  const computing = new Map<string, Promise<string>>();
  let hits = 0;
  let misses = 0;

  const drop = (key: string) => {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    bytes -= entry.body.length;
  };
  const keep = (key: string, entry: Entry) => {
    drop(key);
    if (entry.body.length > maxBytes / 8) return;
    entries.set(key, entry);
    bytes += entry.body.length;
    for (const oldest of entries.keys()) {
      if (bytes <= maxBytes) break;
      drop(oldest);
    }
  };

  return {
    enabled: maxAgeMs > 0,
    stats: () => ({ entries: entries.size, bytes, hits, misses }),
    /**
     * The JSON answer for `key` (the customer's view at one address, with whatever of the session
     * it shows): kept, or computed now. Kept only when computed from a session read at the versions
     * now current: a session read earlier (another process changed the customer since) may carry
     * an older customer or organization row, which the answer would then keep.
     */
    async answer(session: CacheSession, key: string, compute: () => Promise<unknown>): Promise<string> {
      if (maxAgeMs <= 0) return JSON.stringify(await compute());
      const versions = session.fresh ? session.readVersions : await repo.current(session.organizationId, session.customerId);
      const now = clock.now().getTime();
      const fullKey = `${session.organizationId}\u0000${session.customerId}\u0000${key}`;
      const entry = entries.get(fullKey);
      if (entry && entry.versions === versions && now >= entry.at && now - entry.at < maxAgeMs) {
        hits++;
        // Served: the most recently used, last out.
        entries.delete(fullKey);
        entries.set(fullKey, entry);
        return entry.body;
      }
      misses++;
      const storable = versions === session.readVersions;
      const pendingKey = `${fullKey}\u0000${versions}`;
      const pending = storable ? computing.get(pendingKey) : undefined;
      if (pending) return pending;
      const work = (async () => {
        const at = clock.now().getTime();
        const body = JSON.stringify(await compute());
        if (storable) keep(fullKey, { versions, at, body });
        return body;
      })();
      if (!storable) return work;
      computing.set(pendingKey, work);
      try {
        return await work;
      } finally {
        computing.delete(pendingKey);
      }
    },
    /** Forgets every answer (tests; a process that wants its memory back). */
    clear() {
      entries.clear();
      bytes = 0;
    },
  };
}
export type PortalCache = ReturnType<typeof portalCache>;
