// Every server test is also a log audit: the harness notes each secret a test run handles
// (sign-in codes and link tokens from the mail, session tokens, secret keys, webhook secrets,
// license and API keys, hosted-page tokens from the answers; customer names from the
// requests) and, when the test file closes its context, fails if any log line holds one.

// Bearer tokens and keys by their shape: a prefix and 256 random bits (lib/crypto.ts randomToken).
const TOKEN = /(?:cps|cpl|cpseat|hpo|hpc|sk)_[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])|whsec_[A-Za-z0-9+/]{43}=?/g;
const KINDS: Record<string, string> = {
  cps: 'a session token',
  cpl: 'a link token',
  cpseat: 'a seat invitation token',
  hpo: 'a hosted-page token',
  hpc: 'a hosted-page token',
  sk: 'a secret key',
  whsec: 'a webhook secret',
};
const SECRET_FIELDS = new Set(['token', 'key', 'secret', 'client_secret', 'confirm_token', 'api_key', 'license_key']);
const NAME_FIELDS = new Set(['name', 'display_name']);

export class LogAudit {
  /** What must never be logged, with what it is (for the failure message). */
  readonly secrets = new Map<string, string>();

  add(value: string, what: string): void {
    if (value.length >= 4 && !this.secrets.has(value)) this.secrets.set(value, what);
  }

  /** Token-shaped strings anywhere in a text (an answer, an email). */
  fromText(text: string, where: string): void {
    for (const match of text.matchAll(TOKEN)) this.add(match[0], `${KINDS[match[0].slice(0, match[0].indexOf('_'))] ?? 'a token'} from ${where}`);
    for (const match of text.matchAll(/cp_token=([\w-]+)/g)) this.add(match[1]!, `a link token from ${where}`);
  }

  /** Secret fields of a JSON answer (and customer names, which are data beyond ids). */
  fromAnswer(value: unknown, where: string, depth = 0): void {
    if (depth > 8 || value === null || typeof value !== 'object') return;
    for (const [key, v] of Object.entries(value)) {
      if (typeof v === 'string') {
        if (SECRET_FIELDS.has(key) && v.length >= 12) this.add(v, `${key} in the answer to ${where}`);
        if (NAME_FIELDS.has(key) && v.trim().length >= 6 && /customers|\/me|sessions|seats/.test(where)) this.add(v, `a customer name sent to ${where}`);
      } else this.fromAnswer(v, where, depth + 1);
    }
  }

  /** A sign-in email: its code (digits on their own) and its link token. */
  fromMail(text: string): void {
    const code = /(\d{6})$/.exec(text.split('\n')[0]!.trim())?.[1];
    if (code) this.add(code, 'a sign-in code');
    this.fromText(text, 'an email');
  }

  #holds(line: string, secret: string): boolean {
    const digits = /^\d+$/.test(secret);
    for (let at = line.indexOf(secret); at !== -1; at = line.indexOf(secret, at + 1)) {
      // A six-digit code counts only as a number of its own, not inside a timestamp or an id
      // (a request id or ULID in a path holds runs of six digits by chance).
      if (!digits || !(/[0-9A-Za-z]/.test(line[at - 1] ?? '') || /[0-9A-Za-z]/.test(line[at + secret.length] ?? ''))) return true;
    }
    return false;
  }

  /** Log lines holding a secret: one line per leak, naming what leaked, never the secret itself. */
  leaks(logs: readonly string[]): string[] {
    const found: string[] = [];
    for (const line of logs) {
      for (const [secret, what] of this.secrets) {
        if (!this.#holds(line, secret)) continue;
        const message = /"msg":"([^"]*)"/.exec(line)?.[1] ?? '?';
        found.push(`${what} is in the log line "${message}"`);
      }
    }
    return found;
  }
}
