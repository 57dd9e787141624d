import type { CustomerRow, Organization } from '../../db/schema.js';
import { emailBrand } from '../organizations/service.js';
import type { Background } from '../../lib/background.js';
import { DAY, HOUR, MINUTE, type Clock } from '../../lib/clock.js';
import { hmac, randomToken, safeEqualHex, sha256, sixDigitCode } from '../../lib/crypto.js';
import { ApiError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import type { CustomerService } from '../customers/service.js';
import type { Mailer } from '../email/mailer.js';
import { signInEmail } from '../email/templates.js';
import { customerLocale } from '../../i18n/index.js';
import { matchLocale, negotiateLocale } from '../../../src/i18n/negotiate.js';
import type { RateLimiter } from '../rate-limits/service.js';
import type { AuthRepository } from './repository.js';

export const CODE_TTL_MS = 15 * MINUTE;
export const MAX_CODE_ATTEMPTS = 5;
export const SESSION_TTL_MS = 30 * DAY;
export const PRE_AUTH_TTL_MS = HOUR;
/** A session's expiry slides forward at most this often, so reads do not write on every request. */
const SLIDE_EVERY_MS = 5 * MINUTE;
/**
 * Authenticated sessions are remembered for this long in this process, so a burst of reads
 * does not look the session up each time. Sign-out, revocation and any change to the
 * customer forget it at once here; another instance may serve a revoked token for at most
 * this long.
 */
export const SESSION_CACHE_MS = 2 * 1000;
const SESSION_CACHE_MAX = 10_000;

export interface PortalAuth {
  sessionId: string;
  /** The customer has a subscription whose payment failed (past due, unpaid or incomplete). */
  pastDue: boolean;
  /** A payment waits for the customer's authentication (3-D Secure): the banner offers "Confirm payment". */
  requiresAction: boolean;
  /**
   * The customer holds a seat on someone else's subscription and has no billing of their own
   * (no subscription, no order): the portal shows a team member's sections (CP-Portal-Scope: seat).
   */
  seatOnly: boolean;
  /** The earliest of the customer's creation, first order and first subscription ("Customer since"). */
  customerSince: Date;
  returnUrl: string | null;
  customer: {
    id: string;
    email: string;
    name: string | null;
    external_id: string | null;
    locale: string | null;
    billing_details: Record<string, unknown>;
    created_at: Date;
  };
  organization: { id: string; slug: string; name: string; allowed_origins: string[]; portal_settings: unknown };
  /**
   * The organization's and the customer's whole rows, read with the session: the portal's reads
   * use them instead of reading them again (issue 15). As fresh as the session: a change to the
   * customer or the organization forgets the cached session in this process.
   */
  rows: { organization: Organization; customer: CustomerRow };
  /** The customer's and the organization's read versions when the session was read ("customer:organization:*"; portal-cache). */
  readVersions: string;
  /** performance.now() just before the session was read: a request that began before it reads current versions with it. */
  readStartedAt: number;
}

export interface IssuedSession {
  token: string;
  expires_at: string;
  return_url: string | null;
}

interface Deps {
  repo: AuthRepository;
  customers: CustomerService;
  rateLimiter: RateLimiter;
  mailer: Mailer;
  background: Background;
  clock: Clock;
  secret: string;
  publicUrl: string;
}

export function authService(deps: Deps) {
  const { repo, clock, secret } = deps;
  const cache = new Map<string, { auth: PortalAuth; until: number }>();
  /**
   * Look-ups under way, by token hash: requests that find the cached session stale at the same
   * moment share one (with 32 requests in flight, each expiry made 32 identical look-ups).
   */
  const inFlight = new Map<string, Promise<PortalAuth | undefined>>();
  /** Bumped by every forget: a look-up that began before one neither caches nor is shared after it. */
  let generation = 0;
  const forget = (match: (auth: PortalAuth) => boolean) => {
    generation++;
    inFlight.clear();
    for (const [key, entry] of cache) if (match(entry.auth)) cache.delete(key);
  };
  const codeHash = (organizationId: string, email: string, code: string) => hmac(secret, `login-code:${organizationId}:${email}:${code}`);

  function portalUrl(org: Pick<Organization, 'slug'>, base: string | null | undefined, token: string): string {
    const url = new URL(base ?? `${deps.publicUrl}/${org.slug}/portal`);
    url.searchParams.set('cp_token', token);
    return url.toString();
  }

  /** A return URL must be on an origin the organization allows (or this server). */
  function assertAllowedUrl(org: Organization, value: string | undefined): string | null {
    if (!value) return null;
    const origin = new URL(value).origin;
    if (origin !== new URL(deps.publicUrl).origin && !org.allowed_origins.includes(origin)) {
      throw new ApiError(400, 'return_url_not_allowed', `${origin} is not one of the organization's allowed origins.`);
    }
    return value;
  }

  async function issueSession(organizationId: string, customerId: string, returnUrl: string | null): Promise<IssuedSession> {
    const now = clock.now();
    const token = randomToken('cps');
    const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
    await repo.insertSession({
      id: newId('ses', now.getTime()),
      organization_id: organizationId,
      customer_id: customerId,
      token_hash: sha256(token),
      return_url: returnUrl,
      expires_at: expiresAt,
      now,
    });
    return { token, expires_at: expiresAt.toISOString(), return_url: returnUrl };
  }

  /** The session of a token hash from the database, cached unless something was forgotten since `startedAt`. */
  async function lookUpSession(hash: string, now: Date, startedAt: number): Promise<PortalAuth | undefined> {
    const readStartedAt = performance.now();
    const row = await repo.findLiveSession(hash, now);
    if (!row) return undefined;
    if (now.getTime() - row.session_last_used_at.getTime() > SLIDE_EVERY_MS) {
      await repo.touchSession(row.session_id, now, new Date(now.getTime() + SESSION_TTL_MS));
    }
    const auth: PortalAuth = {
      sessionId: row.session_id,
      readVersions: String(row.read_versions),
      readStartedAt,
      pastDue: Boolean(row.past_due),
      requiresAction: Boolean(row.requires_action),
      seatOnly: Boolean(row.seat_only),
      customerSince: row.customer_since ? new Date(row.customer_since) : row.customer_created_at,
      returnUrl: row.session_return_url,
      customer: {
        id: row.customer_id,
        email: row.customer_email,
        name: row.customer_name,
        external_id: row.customer_external_id,
        locale: row.customer_locale,
        billing_details: row.customer_billing_details,
        created_at: row.customer_created_at,
      },
      organization: {
        id: row.organization_id,
        slug: row.organization_slug,
        name: row.organization_name,
        allowed_origins: row.organization_allowed_origins,
        portal_settings: row.organization_portal_settings,
      },
      rows: {
        organization: {
          id: row.organization_id,
          slug: row.organization_slug,
          name: row.organization_name,
          branding: row.organization_branding,
          portal_settings: row.organization_portal_settings,
          allowed_origins: row.organization_allowed_origins,
          billing_settings: row.organization_billing_settings,
          created_at: row.organization_created_at,
          updated_at: row.organization_updated_at,
        },
        customer: {
          id: row.customer_id,
          organization_id: row.organization_id,
          email: row.customer_email,
          name: row.customer_name,
          external_id: row.customer_external_id,
          metadata: row.customer_metadata,
          billing_details: row.customer_billing_details,
          provider_customer_ref: row.customer_provider_customer_ref,
          locale: row.customer_locale,
          created_at: row.customer_created_at,
          updated_at: row.customer_updated_at,
        },
      },
    };
    if (startedAt !== generation) return auth;
    if (cache.size >= SESSION_CACHE_MAX) cache.delete(cache.keys().next().value!);
    cache.set(hash, { auth, until: Math.min(now.getTime() + SESSION_CACHE_MS, row.session_expires_at.getTime()) });
    return auth;
  }

  return {
    /**
     * Sends a code and a one-click link to a customer's email. Unknown emails get a code row
     * too (never sent) and the same answer, so neither the reply nor a later wrong guess
     * tells whether an email belongs to a customer. The request does the same work for both
     * (two rate-limit hits, one customer lookup, the code retired and stored): what only a
     * known customer gets (the link token, the email) happens in the
     * background, after the answer, so its timing does not tell them apart either.
     */
    async requestCode(
      org: Organization,
      input: { email: string; return_url?: string | undefined; ip: string; locale?: string | undefined; acceptLanguage?: string | undefined },
    ): Promise<void> {
      const returnUrl = assertAllowedUrl(org, input.return_url);
      await deps.rateLimiter.hit({ key: `auth-request:ip:${input.ip}`, max: 30, windowMs: 15 * MINUTE });
      await deps.rateLimiter.hit({ key: `auth-request:email:${org.id}:${input.email}`, max: 5, windowMs: 15 * MINUTE });
      const customer = await deps.customers.findByEmail(org.id, input.email);
      const now = clock.now();
      const code = sixDigitCode();
      const codeId = newId('lc', now.getTime());
      const linkToken = randomToken('cpl');
      await repo.retireCodes(org.id, input.email, now);
      await repo.insertCode({
        id: codeId,
        organization_id: org.id,
        email: input.email,
        customer_id: customer?.id ?? null,
        code_hash: codeHash(org.id, input.email, code),
        expires_at: new Date(now.getTime() + CODE_TTL_MS),
        now,
      });
      if (!customer) return;
      deps.background.run('sign-in email', async () => {
        // After the answer has gone: nothing below runs before requestCode returns.
        await new Promise((resolve) => setImmediate(resolve));
        await repo.insertLinkToken({
          id: newId('lt', now.getTime()),
          organization_id: org.id,
          customer_id: customer.id,
          token_hash: sha256(linkToken),
          kind: 'email_link',
          login_code_id: codeId,
          return_url: returnUrl,
          expires_at: new Date(now.getTime() + CODE_TTL_MS),
          now,
        });
        // The customer's own language when they chose one (or the merchant set it); else the
        // portal's, else the browser's, for this email only. Never stored: anyone can ask for a
        // code for any address, so an unauthenticated request must not pick a customer's language.
        const wanted = customer.locale ? null : (matchLocale(input.locale) ?? negotiateLocale(input.acceptLanguage));
        const email = signInEmail({
          brand: emailBrand(org),
          locale: customerLocale(org, wanted ? { locale: wanted } : customer),
          code,
          link: portalUrl(org, returnUrl, linkToken),
          minutes: CODE_TTL_MS / MINUTE,
        });
        // Not worth sending once the code has expired (an SMTP outage longer than that).
        await deps.mailer.send({ organizationId: org.id, to: customer.email, ...email, expiresAt: new Date(deps.clock.now().getTime() + CODE_TTL_MS) });
      });
    },

    async verifyCode(org: Organization, input: { email: string; code: string; ip: string }): Promise<IssuedSession> {
      await deps.rateLimiter.hit({ key: `auth-verify:ip:${input.ip}`, max: 60, windowMs: 15 * MINUTE });
      await deps.rateLimiter.hit({ key: `auth-verify:email:${org.id}:${input.email}`, max: 20, windowMs: 15 * MINUTE });
      const row = await repo.latestCode(org.id, input.email);
      const now = clock.now();
      if (!row || row.used_at) {
        throw new ApiError(400, 'code_invalid', 'That code is not valid. Request a new code.');
      }
      if (row.attempts >= MAX_CODE_ATTEMPTS) {
        throw new ApiError(400, 'code_exhausted', 'Too many wrong tries. Request a new code.');
      }
      if (row.expires_at <= now) {
        throw new ApiError(400, 'code_expired', 'That code has expired. Request a new code.');
      }
      const matches = safeEqualHex(row.code_hash, codeHash(org.id, input.email, input.code));
      if (!matches || !row.customer_id) {
        const attempts = await repo.countWrongTry(row.id, MAX_CODE_ATTEMPTS);
        const left = attempts === undefined ? 0 : MAX_CODE_ATTEMPTS - attempts;
        if (left <= 0) throw new ApiError(400, 'code_exhausted', 'Too many wrong tries. Request a new code.');
        throw new ApiError(400, 'code_incorrect', `That code is incorrect. ${left} ${left === 1 ? 'try' : 'tries'} left.`, {
          attempts_left: left,
        });
      }
      if (!(await repo.useCode(row.id, now))) {
        throw new ApiError(400, 'code_invalid', 'That code is not valid. Request a new code.');
      }
      await repo.useLinkTokensOfCode(row.id, now);
      return issueSession(org.id, row.customer_id, null);
    },

    /** Trades a single-use link token (pre-authenticated link or email link) for a session. */
    async exchange(input: { token: string; ip: string; checkOrigin: (allowed: string[]) => void }): Promise<IssuedSession> {
      await deps.rateLimiter.hit({ key: `auth-exchange:ip:${input.ip}`, max: 60, windowMs: 15 * MINUTE });
      const row = await repo.findLinkToken(sha256(input.token));
      const now = clock.now();
      const invalid = new ApiError(400, 'link_invalid', 'This sign-in link is not valid or was already used. Sign in with your email.');
      if (!row || row.used_at || row.code_used_at || row.code_retired_at) throw invalid;
      input.checkOrigin(row.allowed_origins);
      if (row.expires_at <= now) {
        throw new ApiError(400, 'link_expired', 'This sign-in link has expired. Sign in with your email.');
      }
      if (!(await repo.useLinkToken(row.id, now))) throw invalid;
      if (row.login_code_id) await repo.useCode(row.login_code_id, now);
      return issueSession(row.organization_id, row.customer_id, row.return_url);
    },

    /** For the merchant's backend: a single-use link that signs the customer in. */
    async createPreAuthLink(org: Organization, customerId: string, returnUrl: string | undefined) {
      const allowedReturn = assertAllowedUrl(org, returnUrl);
      const now = clock.now();
      const token = randomToken('cpl');
      const expiresAt = new Date(now.getTime() + PRE_AUTH_TTL_MS);
      await repo.insertLinkToken({
        id: newId('lt', now.getTime()),
        organization_id: org.id,
        customer_id: customerId,
        token_hash: sha256(token),
        kind: 'pre_auth',
        login_code_id: null,
        return_url: allowedReturn,
        expires_at: expiresAt,
        now,
      });
      return { token, expires_at: expiresAt.toISOString(), portal_url: portalUrl(org, null, token) };
    },

    async authenticate(token: string): Promise<PortalAuth | undefined> {
      if (!token.startsWith('cps_')) return undefined;
      const now = clock.now();
      const hash = sha256(token);
      const cached = cache.get(hash);
      if (cached && cached.until > now.getTime()) return cached.auth;
      cache.delete(hash);
      const pending = inFlight.get(hash);
      if (pending) return pending;
      const lookUp = lookUpSession(hash, now, generation).finally(() => {
        if (inFlight.get(hash) === lookUp) inFlight.delete(hash);
      });
      inFlight.set(hash, lookUp);
      return lookUp;
    },

    /** A session for a customer another flow has proven (a claimed seat invitation). */
    issueSession,
    async signOut(sessionId: string) {
      forget((a) => a.sessionId === sessionId);
      await repo.revokeSession(sessionId, clock.now());
      // Again after the write: a look-up that started in between read the session as live.
      forget((a) => a.sessionId === sessionId);
    },
    async revokeCustomerSessions(organizationId: string, customerId: string) {
      forget((a) => a.customer.id === customerId);
      const revoked = await repo.revokeCustomerSessions(organizationId, customerId, clock.now());
      forget((a) => a.customer.id === customerId);
      return revoked;
    },
    /** Something about the customer changed (profile, billing state): read it afresh next time. */
    forgetCustomer(customerId: string) {
      forget((a) => a.customer.id === customerId);
    },
    /** The organization changed (settings, branding, origins): its customers' sessions are read afresh next time. */
    forgetOrganization(organizationId: string) {
      forget((a) => a.organization.id === organizationId);
    },
  };
}
export type AuthService = ReturnType<typeof authService>;
