import { expect, fixture, html } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import { VALID_EMAIL_CODE } from '../../../test/msw/extras.js';
import { apiError, fake } from '../../../test/msw/handlers.js';
import { signIn, useMockApi, worker } from '../../../test/msw/worker.js';
import { buttonIn, focused, textOf, type } from '../../testing/dom.js';
import { countryOptions } from '../../schemas/countries.js';
import { ViewHarness } from '../../testing/view.harness.js';
import './settings.js';
import type { CustomerPortalSettings } from './settings.js';

async function render(): Promise<ViewHarness<CustomerPortalSettings>> {
  const h = new ViewHarness(await fixture<CustomerPortalSettings>(html`<customer-portal-settings org="acme"></customer-portal-settings>`));
  await h.until(
    () => h.root.querySelector('#tax_id') && h.root.querySelector('customer-portal-payment-methods')?.shadowRoot?.querySelector('li'),
    'settings did not load',
  );
  return h;
}

const field = (h: ViewHarness, id: string) => h.root.querySelector<HTMLInputElement>(`#${id}`)!;
const flow = (h: ViewHarness) => h.root.querySelector('customer-portal-email-change-flow')!.shadowRoot!;

describe('<customer-portal-settings>', () => {
  useMockApi();
  beforeEach(() => signIn());

  it('holds the payment methods, billing information, profile, data export and sign-out', async () => {
    const h = await render();
    expect(h.text).to.match(/^Settings Payment methods, billing information and your account\. .*Payment methods .*Visa •••• 4242 Default/);
    expect(h.text).to.contain('Billing information Printed on your next invoices.');
    expect([field(h, 'name').value, field(h, 'company').value, field(h, 'email').value, field(h, 'line1').value, field(h, 'country').value]).to.deep.equal([
      'Alice Martin',
      'Martin & Co',
      'billing@martin.example',
      '12 Rue de la Paix',
      'FR',
    ]);
    expect(h.text).to.contain('Customer ID cus_01JD5Z8W4N3X Copy customer ID External ID user_1001');
    expect(h.text).to.contain('Your data Download everything we hold about your account, as a JSON file. Download my data');
    expect(h.text).to.contain('Sign out');
    await expect(h.element).to.be.accessible();
  });

  it('loads the profile and the cards in one request', async () => {
    await render();
    expect(fake.requests.map((r) => r.path)).to.deep.equal(['/portal/v1/me']);
  });

  it('offers no email change when the organization turned it off', async () => {
    fake.customer = { ...fake.customer, email_change: false };
    const h = await render();
    const emailRow = [...h.root.querySelectorAll('.row')].find((row) => textOf(row.querySelector('dt')) === 'Email')!;
    expect(textOf(emailRow)).to.equal('Email alice@example.com');
    expect(emailRow.querySelector('button')).to.equal(null);
  });

  it('offers every ISO country by its name in the customer’s language, sorted by name', async () => {
    const h = await render();
    const options = [...h.root.querySelectorAll<HTMLOptionElement>('select#country option')];
    expect(options.length).to.equal(251); // "Choose a country" and 250 countries
    expect(options[0]!.value).to.equal('');
    expect(options.find((o) => o.value === 'DE')!.textContent).to.equal('Germany');
    expect(options.find((o) => o.value === 'GE')!.textContent).to.equal('Georgia');
    const names = options.slice(1).map((o) => o.textContent!);
    expect(names).to.deep.equal([...names].sort(new Intl.Collator('en').compare));
    const french = countryOptions('fr');
    expect(french.find(([code]) => code === 'DE')![1]).to.equal('Allemagne');
    expect(french[0]![1]).to.equal('Afghanistan');
    await expect(h.element).to.be.accessible();
  });

  it('checks the EU VAT number format as it is typed and saves the billing information', async () => {
    const h = await render();
    type(field(h, 'tax_id'), 'DE 123');
    field(h, 'tax_id').dispatchEvent(new Event('blur'));
    await h.shows('This is not a valid DE VAT number format.');
    h.button(/^Save billing information$/).click();
    await h.until(() => focused() === field(h, 'tax_id'), 'focus not on the wrong field');
    expect(fake.to('/portal/v1/me').filter((r) => r.method === 'PATCH')).to.have.length(0);

    // A German VAT number with a French address: refused here, as the server would.
    type(field(h, 'tax_id'), 'de 123 456 789');
    await h.shows('Valid format: DE123456789');
    field(h, 'tax_id').dispatchEvent(new Event('blur'));
    await h.shows('This VAT number is from Germany, but the country is France.');
    h.button(/^Save billing information$/).click();
    await h.until(() => focused() === field(h, 'tax_id'), 'focus not on the VAT number');
    expect(fake.to('/portal/v1/me').filter((r) => r.method === 'PATCH')).to.have.length(0);
    // The country is chosen from the list, by name, never typed ("germany" once became GE).
    const country = h.root.querySelector<HTMLSelectElement>('select#country')!;
    expect(country.selectedOptions[0]!.textContent).to.equal('France');
    country.value = 'DE';
    country.dispatchEvent(new Event('change'));
    await h.until(() => !textOf(h.root.querySelector('#tax_id-error')), 'the VAT error stayed after choosing Germany');
    type(field(h, 'line2'), 'Bâtiment B');
    h.button(/^Save billing information$/).click();
    await h.until(() => h.announcement === 'Billing information saved.', 'not saved');
    expect(fake.to('/portal/v1/me').find((r) => r.method === 'PATCH')?.body).to.deep.equal({
      billing_details: {
        name: 'Alice Martin',
        company: 'Martin & Co',
        email: 'billing@martin.example',
        address: { line1: '12 Rue de la Paix', line2: 'Bâtiment B', city: 'Paris', postal_code: '75002', state: null, country: 'DE' },
        tax_id: 'de 123 456 789',
      },
    });
    expect(h.text).to.contain('Saved');
  });

  it('shows the server’s refusal at the field', async () => {
    worker.use(
      http.patch('*/portal/v1/me', () =>
        apiError(400, 'validation_error', 'XX1 is not accepted here.', [{ path: 'billing_details.tax_id', message: 'XX1 is not accepted here.' }]),
      ),
    );
    const h = await render();
    type(field(h, 'tax_id'), 'XX1');
    h.button(/^Save billing information$/).click();
    await h.shows('XX1 is not accepted here.');
    expect(h.text).not.to.contain('tax_id');
    expect(textOf(h.root.querySelector('#tax_id-error'))).to.equal('XX1 is not accepted here.');
  });

  it('changes the email address with a code sent to the new one', async () => {
    const h = await render();
    h.button(/^Change email/).click();
    await h.until(() => h.root.querySelector('customer-portal-email-change-flow')?.shadowRoot?.querySelector('#value'), 'no email step');
    const input = () => flow(h).querySelector<HTMLInputElement>('#value')!;
    // Checked before anything is sent, and said beside the field without its path.
    type(input(), 'not an email');
    buttonIn(flow(h), /^Send code$/).click();
    await h.until(() => textOf(flow(h).querySelector('#value-error')) === 'Enter a valid email address, like name@example.com.', 'no email check');
    expect(input().getAttribute('aria-invalid')).to.equal('true');
    expect(fake.to('/portal/v1/me/email-change')).to.have.length(0);

    // An address another account uses gets the same answer as any other (no account is revealed).
    type(input(), 'taken@example.com');
    buttonIn(flow(h), /^Send code$/).click();
    await h.until(() => textOf(flow(h).querySelector('form')).includes('Enter the 6-digit code we sent to taken@example.com.'), 'not the same answer');
    buttonIn(flow(h), /^Use another address$/).click();
    await h.until(() => input().getAttribute('autocomplete') === 'email', 'not back at the address');

    type(input(), 'alice.new@example.com');
    buttonIn(flow(h), /^Send code$/).click();
    await h.until(() => textOf(flow(h).querySelector('form')).includes('Enter the 6-digit code we sent to alice.new@example.com.'), 'no code step');
    await expect(flow(h).host).to.be.accessible();
    type(input(), '111111');
    buttonIn(flow(h), /^Confirm$/).click();
    await h.until(() => textOf(flow(h).querySelector('[role="alert"]')).includes('That code is incorrect. 4 tries left.'), 'no wrong-code message');
    type(input(), VALID_EMAIL_CODE);
    buttonIn(flow(h), /^Confirm$/).click();
    await h.until(() => textOf(flow(h).querySelector('form')).includes('Email address changed'), 'not changed');
    await h.shows('Email alice.new@example.com Change email');
  });

  it('downloads the customer’s data without putting the token in a URL', async () => {
    const downloads: string[] = [];
    const original = HTMLAnchorElement.prototype.click;
    HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
      downloads.push(`${this.download} ${this.href.slice(0, 5)}`);
    };
    try {
      const h = await render();
      h.button(/^Download my data$/).click();
      await h.until(() => h.announcement === 'Your data was downloaded.', 'not downloaded');
      expect(downloads).to.deep.equal(['my-data.json blob:']);
      expect(fake.to('/portal/v1/me/export')[0]?.authorization).to.match(/^Bearer /);
    } finally {
      HTMLAnchorElement.prototype.click = original;
    }
  });

  it('explains a failure to load', async () => {
    worker.use(http.get('*/portal/v1/me', () => HttpResponse.error(), { once: true }));
    const h = new ViewHarness(await fixture<CustomerPortalSettings>(html`<customer-portal-settings org="acme"></customer-portal-settings>`));
    await h.shows('Could not reach the server.');
    h.button(/Try again/).click();
    await h.until(() => h.root.querySelector('#tax_id'), 'not loaded');
  });
});
