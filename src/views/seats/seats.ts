import { normalizeEmail } from '../../schemas/email.js';
import { msg, str } from '@lit/localize';
import { css, html, nothing, type TemplateResult } from 'lit';
import { state } from 'lit/decorators.js';
import { fetchSeats, seatAction } from '../../api/benefits.js';
import type { ApiError } from '../../api/errors.js';
import { SeatAssignEvent, SeatChangedEvent } from '../../events.js';
import { formatShortDate } from '../../i18n/money.js';
import type { PortalSeat, PortalSeatGroup, PortalSeatList } from '../../schemas/benefits.js';
import { alert } from '../../ui/alert.js';
import { badge, type BadgeTone } from '../../ui/badge.js';
import { busyLabel } from '../../ui/button.js';
import { skeleton } from '../../ui/skeleton.js';
import { ViewElement } from '../../ui/view-element.js';
import { Confirm } from '../billing/confirm.js';
import { emptyState } from '../billing/empty.js';

/**
 * @summary The seats of the customer's per-seat subscriptions: who has one (pending
 * invitation, claimed, revoked), assigning a seat by email, sending an invitation again, and
 * revoking a seat after a confirmation. The invitee claims the seat from the emailed link
 * (`?cp_seat=`, handled by `<customer-portal>`).
 *
 * @event cp-seat-assign - Before a seat is assigned; cancel it to invite the person your own way (no request is made).
 * @event cp-seat-changed - A seat was assigned, its invitation sent again, or it was revoked.
 * @csspart base - The section.
 * @csspart card - Each subscription.
 * @csspart badge - A seat's status.
 * @csspart past-due - The banner shown while a payment has failed.
 */
export class CustomerPortalSeats extends ViewElement {
  static override styles = [
    ...ViewElement.styles,
    css`
      .assign {
        display: flex;
        flex-wrap: wrap;
        align-items: flex-start;
        gap: var(--_space);
        padding: calc(var(--_space) * 2) calc(var(--_space) * 2.5);
        border-bottom: 1px solid var(--_border);
      }
      .assign .field {
        flex: 1 1 14rem;
      }
      .assign .button {
        min-height: 44px;
      }
    `,
  ];

  protected override section = 'seats' as const;

  #seats = this.load(fetchSeats);
  #confirm = new Confirm(this);
  /** Per subscription: the email typed, and why assigning failed. */
  @state() private emails: Record<string, string> = {};
  @state() private errors: Record<string, string> = {};
  /** `assign:<subscription>` or `resend:<seat>` while it runs. */
  @state() private busy = '';

  async #act(busy: string, subscription: string, run: () => Promise<void>, announce: string): Promise<boolean> {
    this.busy = busy;
    this.errors = { ...this.errors, [subscription]: '' };
    try {
      await run();
      this.announcement = announce;
      await this.refetch(fetchSeats);
      return true;
    } catch (error) {
      this.errors = { ...this.errors, [subscription]: (error as ApiError).message };
      return false;
    } finally {
      this.busy = '';
    }
  }

  /** Empties the email field (the form itself too: the field may not have re-rendered since typing). */
  #clear(form: HTMLFormElement, id: string): void {
    form.reset();
    this.emails = { ...this.emails, [id]: '' };
  }

  private async assign(event: Event, group: PortalSeatGroup): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const id = group.subscription_id;
    const email = (this.emails[id] ?? '').trim();
    if (this.busy) return;
    // The server's own rule, checked here first: "not an email" is answered at once.
    if (!normalizeEmail(email)) {
      this.errors = { ...this.errors, [id]: msg('Enter a valid email address, like name@example.com.') };
      form.querySelector('input')?.focus();
      return;
    }
    // The host app may run its own invitation flow instead.
    if (this.emit(new SeatAssignEvent({ subscription_id: id, email })).defaultPrevented) {
      this.#clear(form, id);
      return;
    }
    const done = await this.#act(
      `assign:${id}`,
      id,
      () => seatAction(this.connection!.http, crypto.randomUUID(), { subscription_id: id, email }),
      msg(str`Invitation sent to ${email}.`),
    );
    if (!done) return;
    this.#clear(form, id);
    this.emit(new SeatChangedEvent({ seatId: '', subscriptionId: id, email, change: 'assigned' }));
  }

  private resend(seat: PortalSeat): void {
    void this.#act(
      `resend:${seat.id}`,
      seat.subscription_id,
      () => seatAction(this.connection!.http, crypto.randomUUID(), { id: seat.id, action: 'resend' }),
      msg(str`Invitation sent again to ${seat.email}.`),
    ).then((ok) => ok && this.emit(new SeatChangedEvent({ seatId: seat.id, subscriptionId: seat.subscription_id, email: seat.email, change: 'resent' })));
  }

  private revoke(seat: PortalSeat): void {
    this.#confirm.ask({
      title: msg(str`Revoke ${seat.email}’s seat?`),
      text:
        seat.status === 'claimed'
          ? msg('They lose access to what the seat includes at once. The seat becomes free for someone else.')
          : msg('The invitation link stops working. The seat becomes free for someone else.'),
      action: msg('Revoke seat'),
      working: msg('Revoking…'),
      run: async (key) => {
        await seatAction(this.connection!.http, key, { id: seat.id, action: 'revoke' });
        this.announcement = msg(str`${seat.email}’s seat was revoked.`);
        this.emit(new SeatChangedEvent({ seatId: seat.id, subscriptionId: seat.subscription_id, email: seat.email, change: 'revoked' }));
        await this.refetch(fetchSeats);
      },
    });
  }

  private renderSeat(seat: PortalSeat): TemplateResult {
    const states: Record<string, [BadgeTone, string, string]> = {
      pending: ['warning', msg('Invited'), msg(str`Invited ${formatShortDate(seat.invited_at)}`)],
      claimed: ['success', msg('Active'), msg(str`Joined ${formatShortDate(seat.claimed_at ?? seat.invited_at)}`)],
      revoked: ['neutral', msg('Revoked'), msg(str`Revoked ${formatShortDate(seat.revoked_at ?? seat.invited_at)}`)],
    };
    const [tone, label, when] = states[seat.status] ?? ['neutral', seat.status, ''];
    const resending = this.busy === `resend:${seat.id}`;
    return html`<li class="entry ${seat.status === 'revoked' ? 'revoked' : ''}">
      <div class="entry__main">
        <span class="entry__title">${seat.email} ${badge(tone, label)}</span>
        <span class="muted">${when}</span>
      </div>
      ${
        seat.status === 'revoked'
          ? nothing
          : html`<div class="entry__actions">
            ${
              seat.status === 'pending'
                ? html`<button
                  type="button"
                  class="button button--secondary button--small"
                  ?disabled=${Boolean(this.busy)}
                  aria-busy=${resending ? 'true' : 'false'}
                  aria-label=${msg(str`Resend the invitation to ${seat.email}`)}
                  @click=${() => this.resend(seat)}
                >
                  ${busyLabel(resending, msg('Resend'), msg('Sending…'))}
                </button>`
                : nothing
            }
            <button type="button" class="button button--ghost button--small" aria-label=${msg(str`Revoke ${seat.email}’s seat`)} @click=${() => this.revoke(seat)}>
              ${msg('Revoke')}
            </button>
          </div>`
      }
    </li>`;
  }

  private renderGroup(group: PortalSeatGroup): TemplateResult {
    const id = group.subscription_id;
    const assigning = this.busy === `assign:${id}`;
    const error = this.errors[id];
    return html`<section class="card" part="card" aria-labelledby="g-${id}">
      <div class="card__header">
        <h3 class="card__title" id="g-${id}">${group.product.name}</h3>
        <p class="card__description">
          ${msg(str`${group.seats_used} of ${group.seats_purchased} seats used`)} · ${msg(str`${group.seats_available} available`)}
        </p>
      </div>
      ${
        group.can_assign
          ? html`<form class="assign" novalidate @submit=${(e: Event) => this.assign(e, group)}>
            <div class="field">
              <label class="visually-hidden" for="email-${id}">${msg('Email address to invite')}</label>
              <input
                id="email-${id}"
                class="input"
                type="email"
                autocomplete="off"
                placeholder=${msg('teammate@example.com')}
                .value=${this.emails[id] ?? ''}
                ?disabled=${assigning}
                aria-invalid=${error ? 'true' : 'false'}
                aria-describedby="error-${id}"
                @input=${(e: Event) => {
                  this.emails = { ...this.emails, [id]: (e.target as HTMLInputElement).value };
                  if (this.errors[id]) this.errors = { ...this.errors, [id]: '' };
                }}
              />
            </div>
            <button type="submit" class="button button--primary" ?disabled=${assigning} aria-busy=${assigning ? 'true' : 'false'}>
              ${busyLabel(assigning, msg('Assign seat'), msg('Assigning…'))}
            </button>
          </form>`
          : html`<p class="card__body muted">${msg('Every seat is taken. Add seats to your subscription to invite more people.')}</p>`
      }
      <div role="alert" id="error-${id}">${error ? html`<div class="card__body">${alert('danger', error)}</div>` : nothing}</div>
      ${
        group.seats.length
          ? html`<ul class="rows" role="list">${group.seats.map((s) => this.renderSeat(s))}</ul>`
          : html`<p class="card__body muted">${msg('No one has a seat yet.')}</p>`
      }
    </section>`;
  }

  private renderLoading(): TemplateResult {
    return html`<div class="card" aria-busy="true">
      <p class="visually-hidden" role="status">${msg('Loading your seats…')}</p>
      <div class="card__body placeholder">${skeleton('30%', '1.25em')} ${skeleton('100%', '44px')} ${skeleton('70%')} ${skeleton('70%')}</div>
    </div>`;
  }

  override render(): unknown {
    return this.renderView(
      msg('Seats'),
      msg('Give your team access to your subscriptions.'),
      this.#seats,
      () => this.renderLoading(),
      (list) => {
        const groups = ((this.fresh as PortalSeatList | undefined) ?? list).data;
        return html`${
          groups.length
            ? groups.map((g) => this.renderGroup(g))
            : html`<div class="card">${emptyState('users', msg('No seats to share'), msg('Subscriptions priced per seat let you invite your team here.'))}</div>`
        }
        ${this.#confirm.render()}`;
      },
    );
  }
}

CustomerPortalSeats.define('customer-portal-seats');

declare global {
  interface HTMLElementTagNameMap {
    'customer-portal-seats': CustomerPortalSeats;
  }
}
