import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import { extras } from '../../../test/msw/extras.js';
import { fake } from '../../../test/msw/handlers.js';
import { signIn, useMockApi, worker } from '../../../test/msw/worker.js';
import type { SeatAssignEvent, SeatChangedEvent } from '../../events.js';
import { focused, type } from '../../testing/dom.js';
import { ViewHarness } from '../../testing/view.harness.js';
import './seats.js';
import type { CustomerPortalSeats } from './seats.js';

async function render(): Promise<ViewHarness<CustomerPortalSeats>> {
  const h = new ViewHarness(await fixture<CustomerPortalSeats>(html`<customer-portal-seats org="acme"></customer-portal-seats>`));
  await h.until(() => h.root.querySelector('section.card, .empty'), 'the seats did not load');
  return h;
}

const rows = (h: ViewHarness) => [...h.root.querySelectorAll('li.entry')].map((li) => li.textContent!.replace(/\s+/g, ' ').trim());
const emailInput = (h: ViewHarness) => h.root.querySelector<HTMLInputElement>('input[type="email"]')!;

describe('<customer-portal-seats>', () => {
  useMockApi();
  beforeEach(() => signIn());

  it('lists the seats of each per-seat subscription with their status', async () => {
    const h = await render();
    expect(h.text).to.contain('Team 2 of 3 seats used · 1 available');
    expect(rows(h)).to.have.length(3);
    expect(rows(h)[0]).to.match(/^bob@example.com Active Joined/);
    expect(rows(h)[1]).to.match(/^carol@example.com Invited Invited .* Resend Revoke$/);
    expect(h.button(/^Revoke carol@example.com’s seat$/)).to.exist;
    expect(rows(h)[2]).to.match(/^dan@example.com Revoked Revoked/);
    await expect(h.element).to.be.accessible();
  });

  it('says so when no subscription has seats', async () => {
    extras.seats = [];
    const h = await render();
    expect(h.text).to.contain('No seats to share Subscriptions priced per seat let you invite your team here.');
  });

  it('shows the loading state and the error with "Try again"', async () => {
    worker.use(http.get('*/portal/v1/seats', () => HttpResponse.error(), { once: true }));
    const h = new ViewHarness(await fixture<CustomerPortalSeats>(html`<customer-portal-seats org="acme"></customer-portal-seats>`));
    expect(h.text).to.contain('Loading your seats…');
    await h.shows('Could not reach the server.');
    h.button(/Try again/).click();
    await h.shows('bob@example.com');
  });

  it('says "not an email" is not an email at once, before asking the server or the host page', async () => {
    const h = await render();
    let asked = false;
    h.element.addEventListener('cp-seat-assign', () => (asked = true));
    type(emailInput(h), 'not an email');
    h.button(/^Assign seat$/).click();
    await h.shows('Enter a valid email address, like name@example.com.');
    expect(emailInput(h)!.getAttribute('aria-invalid')).to.equal('true');
    expect(focused()).to.equal(emailInput(h));
    expect(asked).to.equal(false);
    expect(fake.to('/portal/v1/seats').filter((r) => r.method === 'POST')).to.have.length(0);
    // Typing again clears it.
    type(emailInput(h), 'erin@');
    await h.until(() => emailInput(h)!.getAttribute('aria-invalid') === 'false', 'the error stayed');
  });

  it('assigns a seat by email, telling the host page before and after', async () => {
    const h = await render();
    const before = oneEvent(h.element, 'cp-seat-assign') as Promise<SeatAssignEvent>;
    const after = oneEvent(h.element, 'cp-seat-changed') as Promise<SeatChangedEvent>;
    type(emailInput(h), 'erin@example.com');
    h.button(/^Assign seat$/).click();
    const event = await before;
    expect([event.detail, event.cancelable, event.composed]).to.deep.equal([{ subscription_id: 'sub_team', email: 'erin@example.com' }, true, true]);
    expect((await after).detail).to.include({ change: 'assigned', email: 'erin@example.com' });
    await h.shows('erin@example.com Invited');
    expect(h.announcement).to.equal('Invitation sent to erin@example.com.');
    expect(fake.to('/portal/v1/seats').find((r) => r.method === 'POST')?.body).to.deep.equal({ subscription_id: 'sub_team', email: 'erin@example.com' });
    expect(emailInput(h)).to.equal(null); // the last seat is taken: no more assigning
    expect(h.text).to.contain('Every seat is taken.');
  });

  it('leaves the invitation to the host app when it cancels cp-seat-assign', async () => {
    const h = await render();
    h.element.addEventListener('cp-seat-assign', (e) => e.preventDefault());
    type(emailInput(h), 'erin@example.com');
    h.button(/^Assign seat$/).click();
    await h.until(() => emailInput(h).value === '', 'the field was not cleared');
    expect(fake.to('/portal/v1/seats').filter((r) => r.method === 'POST')).to.have.length(0);
  });

  it('shows why a seat could not be assigned', async () => {
    extras.seats[0]!.can_assign = true;
    worker.use(
      http.post('*/portal/v1/seats', () =>
        HttpResponse.json(
          { error: { code: 'no_seats_available', message: 'Every seat of Team is taken. Add seats to your subscription first.' } },
          { status: 409 },
        ),
      ),
    );
    const h = await render();
    type(emailInput(h), 'erin@example.com');
    h.button(/^Assign seat$/).click();
    await h.shows('Every seat of Team is taken. Add seats to your subscription first.');
  });

  it('resends an invitation', async () => {
    const h = await render();
    h.button(/^Resend the invitation to carol@example.com$/).click();
    await h.until(() => h.announcement === 'Invitation sent again to carol@example.com.', 'not announced');
    expect(fake.to('/portal/v1/seats/seat_2/resend')).to.have.length(1);
  });

  it('revokes a seat after a confirmation', async () => {
    const h = await render();
    h.button(/^Revoke bob@example.com’s seat$/).click();
    await h.until(() => h.dialogText.includes('Revoke bob@example.com’s seat?'), 'no confirmation');
    expect(h.dialogText).to.contain('They lose access to what the seat includes at once.');
    await expect(h.dialog).to.be.accessible();
    h.dialogButton(/^Revoke seat$/).click();
    await h.until(() => rows(h)[0]!.startsWith('bob@example.com Revoked'), 'not revoked');
    expect(h.toast).to.equal('bob@example.com’s seat was revoked.');
    // Its Revoke button is gone with the seat: focus stays in the view, on its heading.
    await h.until(() => focused()?.tagName === 'H2', 'focus left the view');
    expect(fake.to('/portal/v1/seats/seat_1').map((r) => r.method)).to.deep.equal(['DELETE']);
  });
});
