// The app's router: Hono's own (SmartRouter, which settles on the TrieRouter for these routes:
// the RegExpRouter refuses a static segment beside a parameter, `/healthz` beside
// `/:slug/portal`), with the match of each recent method and path remembered. Every request
// searched the trie and split its path anew, ≈5 % of a cached portal GET's CPU (issue 15,
// docs/architecture.md "Where a portal request's CPU goes").
import type { Result, Router } from 'hono/router';
import { RegExpRouter } from 'hono/router/reg-exp-router';
import { SmartRouter } from 'hono/router/smart-router';
import { TrieRouter } from 'hono/router/trie-router';

/** Matches remembered (oldest forgotten first), and the longest path remembered. */
export const MATCHES_KEPT = 1000;
const LONGEST_PATH = 256;

/**
 * A router that remembers its last `MATCHES_KEPT` answers by method and path. A match is a pure
 * function of the two once every route is added (Hono refuses routes after the first match), and
 * Hono only reads it (the handlers and their raw path parameters; decoding happens per request).
 */
export class RememberingRouter<T> implements Router<T> {
  readonly #inner: Router<T>;
  readonly #matches = new Map<string, Result<T>>();
  constructor(inner: Router<T> = new SmartRouter<T>({ routers: [new RegExpRouter<T>(), new TrieRouter<T>()] })) {
    this.#inner = inner;
  }

  /** How many matches are remembered. */
  get size(): number {
    return this.#matches.size;
  }

  get name(): string {
    return `Remembering ${this.#inner.name}`;
  }

  add(method: string, path: string, handler: T): void {
    this.#matches.clear();
    this.#inner.add(method, path, handler);
  }

  match(method: string, path: string): Result<T> {
    if (path.length > LONGEST_PATH) return this.#inner.match(method, path);
    const key = `${method} ${path}`;
    const known = this.#matches.get(key);
    if (known) return known;
    const result = this.#inner.match(method, path);
    if (this.#matches.size >= MATCHES_KEPT) this.#matches.delete(this.#matches.keys().next().value!);
    this.#matches.set(key, result);
    return result;
  }
}
