import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import { alice, apiError, fake } from '../../../test/msw/handlers.js';
import { connectionFor, signIn, useMockApi, worker } from '../../../test/msw/worker.js';
import type { SignedOutEvent } from '../../events.js';
import { deferred, focused, textOf, type } from '../../testing/dom.js';
import { getLocale } from '../../i18n/localize.js';
import { localeCodes } from '../../i18n/locales.js';
import { resetLocale, say, shownIn } from '../../testing/locale.js';
import './account.js';
import type { CustomerPortalAccount } from './account.js';

const ME = '/portal/v1/me';

class AccountHarness {
  constructor(readonly element: CustomerPortalAccount) {}
  get root(): ShadowRoot {
    return this.element.shadowRoot!;
  }
  get text(): string {
    return textOf(this.element);
  }
  /** "Label: value" for each row of the profile, as read on screen. */
  get rows(): Record<string, string> {
    return Object.fromEntries([...this.root.querySelectorAll('.row')].map((row) => [textOf(row.querySelector('dt')), textOf(row.querySelector('dd'))]));
  }
  get nameInput(): HTMLInputElement | null {
    return this.root.querySelector('#name');
  }
  findButton(label: RegExp): HTMLButtonElement | undefined {
    return [...this.root.querySelectorAll('button')].find((b) => label.test(textOf(b)));
  }
  button(label: RegExp): HTMLButtonElement {
    const found = this.findButton(label);
    if (!found) throw new Error(`No button ${label} in "${this.text}"`);
    return found;
  }
  async loaded(): Promise<void> {
    await waitUntil(() => this.root.querySelector('dl'), 'the account did not load');
  }
  async openEditor(): Promise<HTMLInputElement> {
    this.button(/Edit/).click();
    await waitUntil(() => this.nameInput, 'the name field did not open');
    return this.nameInput!;
  }
  /** Opens the editor, types `name` and presses Save. */
  async saveName(name: string): Promise<void> {
    type(await this.openEditor(), name);
    this.button(/^Save$/).click();
  }
}

async function renderAccount(locale?: string): Promise<AccountHarness> {
  const element = await fixture<CustomerPortalAccount>(
    locale
      ? html`<customer-portal-account org="acme" locale=${locale}></customer-portal-account>`
      : html`<customer-portal-account org="acme"></customer-portal-account>`,
  );
  return new AccountHarness(element);
}

/** Picks a language in the Account's language menu, as a customer does. */
function pick(account: AccountHarness, code: string): HTMLSelectElement {
  const select = account.root.querySelector<HTMLSelectElement>('#language')!;
  select.value = code;
  select.dispatchEvent(new Event('change', { bubbles: true }));
  return select;
}

describe('<customer-portal-account>', () => {
  useMockApi();

  beforeEach(() => signIn());

  it('shows a loading skeleton until the customer arrives', async () => {
    const hold = deferred();
    worker.use(
      http.get(`*${ME}`, async () => {
        await hold.promise;
        return HttpResponse.json(alice);
      }),
    );
    const account = await renderAccount();
    expect(account.root.querySelector('[aria-busy="true"] .skeleton')).to.exist;
    expect(textOf(account.root.querySelector('[role="status"]:not(:empty)'))).to.equal('Loading your account…');
    hold.resolve();
    await account.loaded();
    expect(account.root.querySelector('.skeleton')).to.equal(null);
  });

  it('shows the customer’s details', async () => {
    const account = await renderAccount();
    await account.loaded();
    const rows = account.rows;
    expect(rows.Name).to.equal('Alice Martin Edit name');
    expect(rows.Email).to.equal('alice@example.com Change email');
    expect(rows['Customer ID']).to.equal('cus_01JD5Z8W4N3X Copy customer ID');
    expect(rows['External ID']).to.equal('user_1001');
    expect(rows['Customer since']).to.equal(new Intl.DateTimeFormat(undefined, { dateStyle: 'long' }).format(new Date(alice.created_at)));
    expect(fake.to(ME)).to.have.length(1);
  });

  it('says “Customer since” from the customer’s first order or subscription when that came before their record', async () => {
    fake.customer = { ...alice, created_at: '2026-12-01T00:00:00.000Z', customer_since: '2026-08-03T10:00:00.000Z' };
    const account = await renderAccount();
    await account.loaded();
    expect(account.rows['Customer since']).to.equal(new Intl.DateTimeFormat(undefined, { dateStyle: 'long' }).format(new Date('2026-08-03T10:00:00.000Z')));
  });

  it('leaves out the external id when there is none', async () => {
    fake.customer = { ...alice, external_id: null, name: null };
    const account = await renderAccount();
    await account.loaded();
    expect(account.rows).to.not.have.property('External ID');
    expect(account.rows.Name).to.equal('Not set Edit name');
  });

  it('explains a failure and loads again on "Try again"', async () => {
    worker.use(http.get(`*${ME}`, () => HttpResponse.error(), { once: true }));
    const account = await renderAccount();
    await waitUntil(() => account.text.includes('Could not reach the server. Check your connection and try again.'), 'no error');
    account.button(/Try again/).click();
    await account.loaded();
    expect(account.rows.Email).to.equal('alice@example.com Change email');
  });

  it('edits the name inline and saves it', async () => {
    const account = await renderAccount();
    await account.loaded();
    const input = await account.openEditor();
    await waitUntil(() => focused() === input, 'the name field did not get focus');
    expect(input.value).to.equal('Alice Martin');

    type(input, '  Alice Dupont ');
    account.button(/^Save$/).click();
    await waitUntil(() => account.rows.Name === 'Alice Dupont Edit name', 'the new name is not shown');
    expect(fake.to(ME).find((r) => r.method === 'PATCH')?.body).to.deep.equal({ name: 'Alice Dupont' });
    expect(textOf(account.root.querySelector('[role="status"]'))).to.equal('Name saved.');
    await waitUntil(() => focused() === account.findButton(/Edit/), 'focus did not return to Edit');
  });

  it('shows the busy state while saving', async () => {
    const hold = deferred();
    worker.use(
      http.patch(`*${ME}`, async () => {
        await hold.promise;
        return HttpResponse.json({ ...alice, name: 'Al' });
      }),
    );
    const account = await renderAccount();
    await account.loaded();
    await account.saveName('Al');
    await waitUntil(() => account.findButton(/Saving/)?.getAttribute('aria-busy') === 'true', 'not busy');
    expect(account.button(/Saving/).disabled).to.equal(true);
    hold.resolve();
    await waitUntil(() => account.rows.Name === 'Al Edit name', 'not saved');
  });

  it('clears the name when saved empty', async () => {
    const account = await renderAccount();
    await account.loaded();
    await account.saveName('');
    await waitUntil(() => account.rows.Name === 'Not set Edit name', 'the name was not cleared');
    expect(fake.to(ME).find((r) => r.method === 'PATCH')?.body).to.deep.equal({ name: null });
  });

  it('cancels an edit with the button or Escape, sending nothing', async () => {
    const account = await renderAccount();
    await account.loaded();
    type(await account.openEditor(), 'Somebody else');
    account.button(/Cancel/).click();
    await waitUntil(() => !account.nameInput, 'the editor did not close');
    expect(account.rows.Name).to.equal('Alice Martin Edit name');

    (await account.openEditor()).dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }));
    await waitUntil(() => !account.nameInput, 'Escape did not close the editor');
    expect(fake.to(ME).filter((r) => r.method === 'PATCH')).to.have.length(0);
  });

  it('shows the server’s message when the name cannot be saved, without the field’s path', async () => {
    // An older server glued the path to the message: the customer reads the words only.
    worker.use(http.patch(`*${ME}`, () => apiError(400, 'validation_error', 'name: Too long.', [{ path: 'name', message: 'Too long.' }])));
    const account = await renderAccount();
    await account.loaded();
    await account.saveName('A new name');
    await waitUntil(() => textOf(account.root.querySelector('#name-error')) === 'Too long.', 'no error');
    expect(account.nameInput!.getAttribute('aria-invalid')).to.equal('true');
  });

  it('copies the customer id', async () => {
    const copied: string[] = [];
    const original = Object.getOwnPropertyDescriptor(Navigator.prototype, 'clipboard');
    Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText: async (text: string) => void copied.push(text) } });
    try {
      const account = await renderAccount();
      await account.loaded();
      account.button(/Copy/).click();
      await waitUntil(() => account.findButton(/Copied/), 'the button did not confirm');
      expect(copied).to.deep.equal([alice.id]);
      expect(textOf(account.root.querySelector('[role="status"]'))).to.equal('Customer ID copied.');
    } finally {
      delete (navigator as { clipboard?: unknown }).clipboard;
      if (original) Object.defineProperty(Navigator.prototype, 'clipboard', original);
    }
  });

  it('signs out, firing cp-signed-out, and then offers to sign in again', async () => {
    const account = await renderAccount();
    await account.loaded();
    const signedOut = oneEvent(account.element, 'cp-signed-out') as Promise<SignedOutEvent>;
    account.button(/Sign out/).click();
    const event = await signedOut;
    expect(event.detail.reason).to.equal('sign-out');
    expect(event.bubbles && event.composed).to.equal(true);
    expect(fake.to('/portal/v1/auth/sign-out')).to.have.length(1);
    expect(connectionFor('acme').session.state.status).to.equal('signed-out');
    await waitUntil(() => account.root.querySelector('customer-portal-sign-in'), 'no sign-in');
  });

  it('signs out here even when the server cannot be reached', async () => {
    worker.use(http.post('*/portal/v1/auth/sign-out', () => HttpResponse.error()));
    const account = await renderAccount();
    await account.loaded();
    const signedOut = oneEvent(account.element, 'cp-signed-out');
    account.button(/Sign out/).click();
    await signedOut;
    expect(connectionFor('acme').session.state.status).to.equal('signed-out');
    expect(localStorage.length).to.equal(0);
  });

  describe('the language picker', () => {
    afterEach(() => resetLocale());

    it('lists the 22 languages, each by its own name, and asks for a choice when none is stored', async () => {
      const account = await renderAccount();
      await account.loaded();
      const select = account.root.querySelector<HTMLSelectElement>('#language')!;
      expect(account.rows.Language).to.match(/^Choose a language/);
      const options = [...select.options].filter((o) => o.value);
      expect(options.map((o) => o.value)).to.deep.equal([...localeCodes]);
      const names = Object.fromEntries(options.map((o) => [o.value, o.textContent!.trim()]));
      expect([names.en, names.fr, names.de, names.ja, names.ar, names.he, names.uk]).to.deep.equal([
        'English',
        'Français',
        'Deutsch',
        '日本語',
        'العربية',
        'עברית',
        'Українська',
      ]);
      expect(options.find((o) => o.value === 'ar')!.lang).to.equal('ar');
      expect(select.value).to.equal('');
      expect(textOf(account.root.querySelector('#language-hint'))).to.equal('Choose one to get your emails and invoices in it too.');
    });

    it('stores the choice and shows the portal in it at once, even where the page set another language', async () => {
      const account = await renderAccount('fr');
      await account.loaded();
      await shownIn(account.element, 'fr');
      pick(account, 'de');
      await waitUntil(() => getLocale() === 'de', 'the portal did not switch to German');
      await shownIn(account.element, 'de');
      expect(
        fake
          .to(ME)
          .filter((r) => r.method === 'PATCH')
          .map((r) => r.body),
      ).to.deep.equal([{ locale: 'de' }]);
      expect(fake.customer.locale).to.equal('de');
      expect(textOf(account.root.querySelector('h2'))).to.equal(say('Account'));
      expect(account.root.querySelector<HTMLSelectElement>('#language')!.value).to.equal('de');
      await waitUntil(() => textOf(account.root.querySelector('[role="status"]')) === say('Language saved. Your emails and invoices will be in it too.'));
      expect([account.element.lang, account.element.dir]).to.deep.equal(['de', 'ltr']);
    });

    it('on the next visit, the stored choice wins over the browser’s language', async () => {
      fake.customer = { ...alice, locale: 'ar' };
      const account = await renderAccount();
      await waitUntil(() => getLocale() === 'ar', 'the stored language was not applied');
      await account.loaded();
      await shownIn(account.element, 'ar');
      expect([account.element.lang, account.element.dir]).to.deep.equal(['ar', 'rtl']);
      expect(account.root.querySelector<HTMLSelectElement>('#language')!.value).to.equal('ar');
      expect(navigator.languages[0]).to.match(/^en/);
    });

    it('keeps the stored language and says why when the choice cannot be saved', async () => {
      fake.customer = { ...alice, locale: 'fr' };
      worker.use(http.patch(`*${ME}`, () => apiError(400, 'validation_error', 'The language could not be saved. Try again.')));
      const account = await renderAccount();
      await account.loaded();
      const select = pick(account, 'ja');
      await waitUntil(() => textOf(account.root.querySelector('#language-error')) === 'The language could not be saved. Try again.', 'no error');
      expect(select.value).to.equal('fr');
      expect(select.getAttribute('aria-invalid')).to.equal('true');
      expect(getLocale()).to.not.equal('ja');
    });
  });

  it('is accessible', async () => {
    const account = await renderAccount();
    await account.loaded();
    await expect(account.element).to.be.accessible();
    await account.openEditor();
    await expect(account.element).to.be.accessible();
  });
});
