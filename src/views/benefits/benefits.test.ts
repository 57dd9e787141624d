import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import { API_KEY, extras, LICENSE_KEY } from '../../../test/msw/extras.js';
import { apiError, fake } from '../../../test/msw/handlers.js';
import { signIn, useMockApi, worker } from '../../../test/msw/worker.js';
import type { KeyRotatedEvent } from '../../events.js';
import { deferred } from '../../testing/dom.js';
import { ViewHarness } from '../../testing/view.harness.js';
import './benefits.js';
import type { CustomerPortalBenefits } from './benefits.js';

async function render(): Promise<ViewHarness<CustomerPortalBenefits>> {
  const h = new ViewHarness(await fixture<CustomerPortalBenefits>(html`<customer-portal-benefits org="acme"></customer-portal-benefits>`));
  await h.until(() => h.root.querySelector('article, .empty'), 'the benefits did not load');
  return h;
}

const card = (h: ViewHarness, title: string) => [...h.root.querySelectorAll('article')].find((a) => a.querySelector('h3')?.textContent === title)!;

describe('<customer-portal-benefits>', () => {
  useMockApi();
  beforeEach(() => signIn());

  it('shows a skeleton while the benefits load', async () => {
    const hold = deferred();
    worker.use(
      http.get('*/portal/v1/benefits', async () => {
        await hold.promise;
        return HttpResponse.json({ data: [] });
      }),
    );
    const h = new ViewHarness(await fixture<CustomerPortalBenefits>(html`<customer-portal-benefits org="acme"></customer-portal-benefits>`));
    await h.until(() => h.root.querySelector('[aria-busy="true"] .skeleton'), 'no skeleton');
    expect(h.text).to.contain('Loading your benefits…');
    hold.resolve();
    await h.shows('No benefits yet');
  });

  it('says what will appear when there is nothing yet', async () => {
    extras.benefits = [];
    const h = await render();
    expect(h.text).to.contain('No benefits yet License keys, downloads and other perks from your purchases will appear here.');
  });

  it('explains a failure and loads again on "Try again"', async () => {
    worker.use(http.get('*/portal/v1/benefits', () => HttpResponse.error(), { once: true }));
    const h = new ViewHarness(await fixture<CustomerPortalBenefits>(html`<customer-portal-benefits org="acme"></customer-portal-benefits>`));
    await h.shows('Could not reach the server. Check your connection and try again.');
    h.button(/Try again/).click();
    await h.shows('Acme Desktop license');
  });

  it('shows every kind of benefit', async () => {
    const h = await render();
    expect(h.text).to.contain('Acme Desktop license License key •••• •••• B4TR Copy license key Show license key Rotate 1 of 3 activations used MacBook Pro');
    const file = card(h, 'Acme Desktop installers').querySelector('a')!;
    expect([file.textContent, file.href]).to.deep.equal(['acme-desktop-2.4.dmg', 'https://files.example/acme.dmg?sig=abc']);
    expect(h.text).to.contain('48.2 MB');
    expect(card(h, 'Community on Discord').querySelector('a')!.href).to.equal('https://discord.gg/acme');
    expect(h.text).to.contain('Acme API access API key acme_…1706 Reveal Regenerate');
    expect(h.text).to.contain('Priority support Included Write to us any time: we answer within 4 hours. Open a ticket');
    await expect(h.element).to.be.accessible();
  });

  it('shows and copies a license key', async () => {
    const copied: string[] = [];
    const original = navigator.clipboard.writeText;
    navigator.clipboard.writeText = async (text: string) => void copied.push(text);
    try {
      const h = await render();
      h.button(/^Show license key/).click();
      await h.shows(LICENSE_KEY);
      h.button(/^Copy license key/).click();
      await h.until(() => h.announcement === 'Copied to the clipboard.', 'not announced');
      expect(copied).to.deep.equal([LICENSE_KEY]);
    } finally {
      navigator.clipboard.writeText = original;
    }
  });

  it('selects the key for the customer when the clipboard is refused', async () => {
    const original = navigator.clipboard.writeText;
    navigator.clipboard.writeText = () => Promise.reject(new DOMException('denied', 'NotAllowedError'));
    try {
      const h = await render();
      h.button(/^Copy license key/).click();
      await h.until(() => h.announcement.startsWith('Could not copy.'), 'no fallback');
      expect(getSelection()?.toString()).to.contain('B4TR');
    } finally {
      navigator.clipboard.writeText = original;
    }
  });

  it('rotates a license key after a confirmation', async () => {
    const h = await render();
    h.button(/^Rotate$/).click();
    await h.until(() => h.dialogText.includes('Rotate this license key?'), 'no confirmation');
    expect(h.dialogText).to.contain('The current key stops working');
    await expect(h.dialog).to.be.accessible();
    const rotated = oneEvent(h.element, 'cp-key-rotated') as Promise<KeyRotatedEvent>;
    h.dialogButton(/^Rotate key$/).click();
    expect((await rotated).detail).to.deep.equal({ grantId: 'grant_license', type: 'license_key' });
    await h.shows('ACME-NEW0-KEY1-2345-Z9Y8');
    expect(h.text).to.contain('0 of 3 activations used');
    expect(fake.to('/portal/v1/benefits/grant_license/rotate')[0]?.idempotencyKey).to.be.a('string');
  });

  it('keeps the confirmation open with the server’s message when rotating fails', async () => {
    worker.use(http.post('*/portal/v1/benefits/:grant/rotate', () => apiError(409, 'benefit_revoked', 'This benefit was revoked. Contact support.')));
    const h = await render();
    h.button(/^Rotate$/).click();
    await h.until(() => h.dialogText.includes('Rotate this license key?'), 'no confirmation');
    h.dialogButton(/^Rotate key$/).click();
    await h.until(() => h.dialogText.includes('This benefit was revoked. Contact support.'), 'no error');
    h.dialogButton(/^Cancel$/).click();
    await h.until(() => !h.root.querySelector('customer-portal-dialog[open]'), 'still open');
  });

  it('reveals and regenerates an API key', async () => {
    const h = await render();
    h.button(/^Reveal$/).click();
    await h.shows(API_KEY);
    expect(h.text).to.contain('Copy API key');
    h.button(/^Regenerate$/).click();
    await h.until(() => h.dialogText.includes('Regenerate this API key?'), 'no confirmation');
    h.dialogButton(/^Regenerate key$/).click();
    await h.shows('acme_live_rotated_000000000001');
  });
});
