import type { SessionResponse } from '../schemas/auth.js';

export type SessionState =
  | { status: 'signed-out' }
  /** The server stopped accepting the session; `message` tells the customer why they must sign in again. */
  | { status: 'expired'; message: string }
  | { status: 'signed-in'; token: string; expiresAt: string; returnUrl: string | null };

type Listener = (state: SessionState) => void;
type Stored = { token: string; expires_at: string; return_url?: string | null };

const signedOut: SessionState = { status: 'signed-out' };

/**
 * The customer's session for one (server, organization): the token, kept in localStorage so
 * it survives reloads and is shared with other tabs, and the state every element on the page
 * renders from. One store per (server, organization), see `connect()`.
 */
export class SessionStore {
  #state: SessionState;
  readonly #listeners = new Set<Listener>();

  constructor(
    private readonly storageKey: string,
    /** Revokes the token on the server. */
    private readonly revoke: (token: string) => Promise<unknown>,
  ) {
    this.#state = this.#read();
    // Signing in or out in another tab does the same here.
    window.addEventListener('storage', (event) => {
      if (event.key === this.storageKey) this.#set(this.#read());
    });
  }

  get state(): SessionState {
    return this.#state;
  }

  get token(): string | undefined {
    return this.#state.status === 'signed-in' ? this.#state.token : undefined;
  }

  /** Calls `listener` on every change; returns the function that stops it. */
  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  signIn(session: SessionResponse): void {
    const stored: Stored = { token: session.token, expires_at: session.expires_at, return_url: session.return_url ?? null };
    this.#write(JSON.stringify(stored));
    this.#set(fromStored(stored));
  }

  /** Revokes the session on the server, then forgets it here even if the server could not be reached. */
  async signOut(): Promise<void> {
    const token = this.token;
    if (token) await this.revoke(token).catch(() => undefined);
    this.#write(null);
    this.#set(signedOut);
  }

  /** The server no longer accepts the token: forget it and keep `message` for the sign-in screen. */
  expire(message: string): void {
    this.#write(null);
    this.#set({ status: 'expired', message });
  }

  #set(state: SessionState): void {
    // Nothing changed (another tab wrote the same session, two requests both got a 401).
    if (JSON.stringify(state) === JSON.stringify(this.#state)) return;
    this.#state = state;
    for (const listener of [...this.#listeners]) listener(state);
  }

  #read(): SessionState {
    try {
      const raw = localStorage.getItem(this.storageKey);
      const stored = raw ? (JSON.parse(raw) as Partial<Stored>) : undefined;
      return typeof stored?.token === 'string' ? fromStored(stored as Stored) : signedOut;
    } catch {
      return this.#state ?? signedOut;
    }
  }

  /** Storage can be unavailable (blocked cookies, sandboxed frames): the session then lasts as long as the page. */
  #write(value: string | null): void {
    try {
      if (value === null) localStorage.removeItem(this.storageKey);
      else localStorage.setItem(this.storageKey, value);
    } catch {
      // Keep working in memory.
    }
  }
}

function fromStored(stored: Stored): SessionState {
  return { status: 'signed-in', token: stored.token, expiresAt: stored.expires_at, returnUrl: stored.return_url ?? null };
}
