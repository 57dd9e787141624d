import type { Kysely } from 'kysely';
import { emailBrand } from '../organizations/service.js';
import type { CustomerRow, DB, Organization, ProductRow, SeatRow, SeatStatus, SubscriptionRow } from '../../db/schema.js';
import type { HeldSeat, PortalSeat, PortalSeatGroup } from '../../../src/schemas/benefits.js';
import type { Background } from '../../lib/background.js';
import { DAY, HOUR, MINUTE, type Clock } from '../../lib/clock.js';
import { randomToken, sha256 } from '../../lib/crypto.js';
import { ApiError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import type { AuthService } from '../auth/service.js';
import { ENTITLING_STATUSES } from '../benefits/repository.js';
import type { BenefitService } from '../benefits/service.js';
import type { CatalogService } from '../catalog/service.js';
import { resolveBillingSettings } from '../billing/settings.js';
import type { CustomerService } from '../customers/service.js';
import type { Mailer } from '../email/mailer.js';
import { noticeEmail } from '../email/templates.js';
import { customerLocale, translator } from '../../i18n/index.js';
import type { OrganizationService } from '../organizations/service.js';
import { resolvePortalSettings } from '../organizations/settings.js';
import type { SubscriptionService } from '../subscriptions/service.js';
import type { WebhookService } from '../webhooks/service.js';
import { seatRepository } from './repository.js';

/** How long a claim link works; resending makes a new one. */
export const SEAT_INVITATION_TTL_MS = 14 * DAY;

interface Deps {
  db: Kysely<DB>;
  clock: Clock;
  publicUrl: string;
  organizations: OrganizationService;
  customers: CustomerService;
  subscriptions: SubscriptionService;
  catalog: Pick<CatalogService, 'customerCatalog'>;
  benefits: BenefitService;
  auth: AuthService;
  webhooks: WebhookService;
  mailer: Mailer;
  background: Background;
  rateLimiter: { hit(limit: { key: string; max: number; windowMs: number }): Promise<void> };
}

const isLive = (sub: SubscriptionRow) => (ENTITLING_STATUSES as readonly string[]).includes(sub.status);
/** Seats that may be assigned: the purchased count, or fewer when a decrease is scheduled for the renewal. */
const seatLimit = (sub: SubscriptionRow) => Math.min(sub.seats, sub.pending_seats ?? sub.seats);

export function seatService(deps: Deps) {
  const { db, clock } = deps;
  const repo = seatRepository(db);

  const claimUrl = (org: Organization, token: string) => `${deps.publicUrl}/${org.slug}/portal?cp_seat=${encodeURIComponent(token)}`;

  async function perSeat(sub: SubscriptionRow) {
    const { price, product, customer } = await deps.subscriptions.load(sub);
    return { perSeat: price.model === 'per_seat', product, owner: customer };
  }

  async function ownSeat(org: Organization, ownerId: string, id: string) {
    const seat = await repo.findForOwner(org.id, ownerId, id);
    if (!seat) throw new ApiError(404, 'seat_not_found', 'This seat was not found.');
    return seat;
  }

  /**
   * Sends the invitation: by email, or (organization setting `seat_invitations: 'none'`) only
   * as the `customer_seat.assigned` webhook, which then carries the claim token and link.
   */
  async function invite(
    executor: Kysely<DB>,
    org: Organization,
    sub: SubscriptionRow,
    seat: SeatRow,
    token: string,
    context: { product: ProductRow; owner: CustomerRow; resent: boolean },
  ) {
    const viaEmail = resolveBillingSettings(org.billing_settings).seat_invitations === 'email';
    await deps.webhooks.emit(executor, org.id, 'customer_seat.assigned', {
      ...seatEventData(seat, sub),
      resent: context.resent,
      invitation: viaEmail ? null : { token, claim_url: claimUrl(org, token), expires_at: seat.token_expires_at?.toISOString() ?? null },
    });
    return () => {
      if (!viaEmail) return;
      deps.background.run('seat invitation email', async () => {
        // The invitee's language when they are a customer who has one, else the owner's (a colleague).
        const invitee = await deps.customers.findByEmail(org.id, seat.email);
        const locale = customerLocale(org, invitee?.locale ? invitee : context.owner);
        const { t } = translator(locale);
        const owner = context.owner.name ?? context.owner.email;
        const email = noticeEmail({
          brand: emailBrand(org),
          locale,
          subject: t('seatInvite.subject', { owner, product: context.product.name }),
          heading: t('seatInvite.heading'),
          paragraphs: [
            t('seatInvite.body', { owner, organization: org.name, product: context.product.name }),
            t('seatInvite.expiry', { count: SEAT_INVITATION_TTL_MS / DAY }),
          ],
          action: { label: t('action.acceptInvitation'), url: claimUrl(org, token) },
        });
        await deps.mailer.send({ organizationId: org.id, to: seat.email, ...email });
      });
    };
  }

  return {
    repo,
    countAssigned: (subscriptionId: string) => repo.countAssigned(subscriptionId),

    /** The seats a customer holds on others' live subscriptions, as a query for a statement of lists (the overview's). */
    heldQuery: (organizationId: string, customerId: string) => repo.heldQuery(organizationId, customerId),
    /** heldQuery's JSON list as the portal shows it. */
    heldViews: (rows: unknown): HeldSeat[] =>
      (rows as Array<{ seat_id: string; subscription_id: string; plan: string; owner: string; claimed_at: string | null }>).map((r) => ({
        seat_id: r.seat_id,
        subscription_id: r.subscription_id,
        plan: r.plan,
        owner: r.owner,
        claimed_at: r.claimed_at ? new Date(r.claimed_at).toISOString() : null,
      })),

    /** The owner's per-seat subscriptions with their seats; one subscription when asked for. */
    async portalList(org: Organization, ownerId: string, subscriptionId?: string): Promise<PortalSeatGroup[]> {
      // Three statements however many subscriptions and seats: the subscriptions, then their catalog and seats together.
      const subs = subscriptionId
        ? [await deps.subscriptions.ownSubscription(org, ownerId, subscriptionId)]
        : (await deps.subscriptions.list(org.id, { customerId: ownerId, limit: 100 })).filter((s) => s.status !== 'canceled');
      const [catalog, seats] = await Promise.all([deps.catalog.customerCatalog(org.id, ownerId), repo.ofSubscriptions(subs.map((s) => s.id))]);
      const perSeat = (sub: SubscriptionRow) => catalog.price(sub.price_id).model === 'per_seat';
      if (subscriptionId && !perSeat(subs[0]!)) throw new ApiError(400, 'seats_not_supported', 'This subscription is not priced per seat.');
      const groups: PortalSeatGroup[] = [];
      for (const sub of subs) {
        if (!perSeat(sub)) continue;
        const product = catalog.product(sub.product_id);
        const own = seats.filter((s) => s.subscription_id === sub.id);
        const used = own.filter((s) => s.status !== 'revoked').length;
        const available = Math.max(0, seatLimit(sub) - used);
        groups.push({
          subscription_id: sub.id,
          subscription_status: sub.status,
          product: { id: product.id, name: product.name },
          seats_purchased: sub.seats,
          seats_used: used,
          seats_available: available,
          can_assign: isLive(sub) && available > 0,
          seats: own.map(portalSeatView),
        });
      }
      return groups;
    },

    async assign(org: Organization, ownerId: string, input: { subscription_id: string; email: string }) {
      const sub = await deps.subscriptions.ownSubscription(org, ownerId, input.subscription_id);
      const info = await perSeat(sub);
      if (!info.perSeat) throw new ApiError(400, 'seats_not_supported', 'This subscription is not priced per seat.');
      if (!isLive(sub)) throw new ApiError(409, 'subscription_not_active', 'Seats can only be assigned on an active subscription.');
      const token = randomToken('cpseat');
      const now = clock.now();
      let send: () => void = () => {};
      const seat = await db.transaction().execute(async (trx) => {
        const r = seatRepository(trx);
        const locked = (await r.lockSubscription(sub.id))!;
        if (await r.findActiveByEmail(sub.id, input.email)) {
          throw new ApiError(409, 'seat_already_assigned', `${input.email} already has a seat on this subscription.`);
        }
        const used = await r.countAssigned(sub.id);
        const limit = seatLimit(locked);
        if (used >= limit) {
          throw new ApiError(
            409,
            'seat_limit_reached',
            `All ${limit} seat${limit === 1 ? ' is' : 's are'} assigned${locked.pending_seats !== null && locked.pending_seats < locked.seats ? ' (counting the decrease scheduled for the renewal)' : ''}. Revoke a seat or buy more seats first.`,
            { seats_purchased: locked.seats, seats_used: used },
          );
        }
        const row = await r.insert({
          id: newId('seat', now.getTime()),
          organization_id: org.id,
          subscription_id: sub.id,
          email: input.email,
          status: 'pending',
          token_hash: sha256(token),
          token_expires_at: new Date(now.getTime() + SEAT_INVITATION_TTL_MS),
          invited_at: now,
          created_at: now,
          updated_at: now,
        });
        send = await invite(trx, org, locked, row, token, { ...info, resent: false });
        return row;
      });
      send();
      return portalSeatView(seat);
    },

    async resend(org: Organization, ownerId: string, id: string) {
      const seat = await ownSeat(org, ownerId, id);
      if (seat.status !== 'pending') throw new ApiError(409, 'seat_not_pending', 'Only a pending invitation can be sent again.');
      await deps.rateLimiter.hit({ key: `seat-resend:${seat.id}`, max: 5, windowMs: HOUR });
      const sub = await deps.subscriptions.get(org.id, seat.subscription_id);
      const info = await perSeat(sub);
      const token = randomToken('cpseat');
      const now = clock.now();
      let send: () => void = () => {};
      const row = await db.transaction().execute(async (trx) => {
        const updated = await seatRepository(trx).update(seat.id, ['pending'], {
          token_hash: sha256(token),
          token_expires_at: new Date(now.getTime() + SEAT_INVITATION_TTL_MS),
          invited_at: now,
          updated_at: now,
        });
        if (!updated) throw new ApiError(409, 'seat_not_pending', 'Only a pending invitation can be sent again.');
        send = await invite(trx, org, sub, updated, token, { ...info, resent: true });
        return updated;
      });
      send();
      return portalSeatView(row);
    },

    /** Revokes a seat: a pending invitation stops working, a claimed seat's benefits are revoked. */
    async revoke(org: Organization, ownerId: string, id: string) {
      const seat = await ownSeat(org, ownerId, id);
      if (seat.status === 'revoked') throw new ApiError(409, 'seat_already_revoked', 'This seat was already revoked.');
      const sub = await deps.subscriptions.get(org.id, seat.subscription_id);
      const now = clock.now();
      const row = await db.transaction().execute(async (trx) => {
        const updated = await seatRepository(trx).update(seat.id, ['pending', 'claimed'], {
          status: 'revoked',
          revoked_at: now,
          token_hash: null,
          token_expires_at: null,
          updated_at: now,
        });
        if (!updated) throw new ApiError(409, 'seat_already_revoked', 'This seat was already revoked.');
        await deps.webhooks.emit(trx, org.id, 'customer_seat.revoked', seatEventData(updated, sub));
        return updated;
      });
      if (row.customer_id) await deps.benefits.syncCustomer(org.id, row.customer_id);
      return portalSeatView(row);
    },

    /**
     * The invitee follows the claim link: they become (or are matched to) the organization's
     * customer with the invited email, the seat is theirs, their benefits are granted, and
     * they get a session, like /auth/exchange.
     */
    async claim(input: { token: string; ip: string; checkOrigin: (allowed: string[]) => void }) {
      await deps.rateLimiter.hit({ key: `seat-claim:ip:${input.ip}`, max: 30, windowMs: 15 * MINUTE });
      const tokenHash = sha256(input.token);
      const seat = await repo.findByTokenHash(tokenHash);
      const invalid = new ApiError(
        400,
        'seat_invitation_invalid',
        'This invitation link is not valid or was already used. Ask the person who invited you to send it again.',
      );
      if (seat?.status !== 'pending') throw invalid;
      const org = await deps.organizations.byId(seat.organization_id);
      input.checkOrigin(org.allowed_origins);
      if (!resolvePortalSettings(org.portal_settings).sections.seats) {
        throw new ApiError(403, 'section_disabled', 'The seats section is turned off for this portal.');
      }
      const now = clock.now();
      if (!seat.token_expires_at || seat.token_expires_at <= now) {
        throw new ApiError(400, 'seat_invitation_expired', 'This invitation has expired. Ask the person who invited you to send it again.');
      }
      const sub = await deps.subscriptions.find(org.id, seat.subscription_id);
      if (!sub || !isLive(sub)) throw new ApiError(409, 'subscription_not_active', 'The subscription this seat belongs to is no longer active.');
      let customer = await deps.customers.findByEmail(org.id, seat.email);
      if (!customer) {
        customer = await deps.customers.create(org.id, { email: seat.email }).catch(async (error: unknown) => {
          const raced = await deps.customers.findByEmail(org.id, seat.email);
          if (raced) return raced;
          throw error;
        });
      }
      const holder = customer;
      const claimed = await db.transaction().execute(async (trx) => {
        const row = await seatRepository(trx).update(
          seat.id,
          ['pending'],
          { status: 'claimed', customer_id: holder.id, claimed_at: now, token_hash: null, token_expires_at: null, updated_at: now },
          { tokenHash },
        );
        if (!row) throw invalid;
        await deps.webhooks.emit(trx, org.id, 'customer_seat.claimed', seatEventData(row, sub));
        return row;
      });
      await deps.benefits.syncCustomer(org.id, holder.id);
      const session = await deps.auth.issueSession(org.id, holder.id, null);
      return { ...session, seat: portalSeatView(claimed) };
    },

    list: (organizationId: string, opts: { limit: number; startingAfter?: string; subscriptionId?: string; status?: SeatStatus; customerId?: string }) =>
      repo.list(organizationId, opts),
  };
}
export type SeatService = ReturnType<typeof seatService>;

export function portalSeatView(s: SeatRow): PortalSeat {
  return {
    id: s.id,
    subscription_id: s.subscription_id,
    email: s.email,
    status: s.status,
    invited_at: s.invited_at.toISOString(),
    invitation_expires_at: s.status === 'pending' ? (s.token_expires_at?.toISOString() ?? null) : null,
    claimed_at: s.claimed_at?.toISOString() ?? null,
    revoked_at: s.revoked_at?.toISOString() ?? null,
  };
}

export function merchantSeatView(s: SeatRow) {
  return { ...portalSeatView(s), customer_id: s.customer_id, created_at: s.created_at.toISOString() };
}

function seatEventData(s: SeatRow, sub: SubscriptionRow) {
  return { ...merchantSeatView(s), owner_customer_id: sub.customer_id, product_id: sub.product_id };
}
