import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import { useMockApi, worker } from '../../test/msw/worker.js';
import { apiError, fake, record } from '../../test/msw/handlers.js';
import { textOf, type } from '../testing/dom.js';
import { hostedAddress, hostedMessages } from '../testing/hosted.js';
import './payment-method.js';
import { lowContrast } from '../testing/contrast.js';
import { formatCardNumber, formatExpiry, lighten, type HostedPaymentMethod } from './payment-method.js';
import { setLocale } from '../i18n/localize.js';

const START = {
  provider: 'test',
  publishable_key: null,
  setup_intent_id: 'tseti_1',
  client_secret: 'tseti_1_secret_abc',
  confirm_token: 'hpc_confirm_token_0123456789',
  parent_origin: location.origin,
  organization: { name: 'Acme Cloud', primary_color: '#0f766e' },
};
const SAVED = { id: 'pm_new', brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2030, is_default: true, created_at: '2025-11-21T10:00:00.000Z' };

/** The hosted page's server side: start (single use), the test provider's confirm, complete. */
function serve(start: Record<string, unknown> = START): void {
  worker.use(
    http.post('*/hosted/v1/payment-method/start', async ({ request }) => {
      const { body } = await record(request);
      return (body as { token: string }).token === 'hpo_open_token_0123'
        ? HttpResponse.json(start)
        : apiError(400, 'hosted_token_invalid', 'This form has expired or was already used. Close it and try again.');
    }),
    http.post('*/test-provider/setup-intents/:id/confirm', async ({ request }) => {
      const { body } = await record(request);
      const number = (body as { number: string }).number;
      if (number === '4000000000000002') return apiError(402, 'card_declined', 'Your card was declined. Use another card or contact your bank.');
      return HttpResponse.json({ status: 'succeeded', payment_method: 'tpm_1' });
    }),
    http.post('*/hosted/v1/payment-method/complete', async ({ request }) => {
      await record(request);
      return HttpResponse.json({ payment_method: SAVED, retried: [{ subscription_id: 'sub_1', status: 'active', ok: true, message: null }] });
    }),
  );
}

async function open(token = 'hpo_open_token_0123', locale?: string, theme?: string): Promise<HostedPaymentMethod> {
  hostedAddress(token, { locale, theme });
  return fixture<HostedPaymentMethod>(html`<cp-hosted-payment-method></cp-hosted-payment-method>`);
}

const input = (el: HostedPaymentMethod, id: string) => el.shadowRoot!.querySelector<HTMLInputElement>(`#${id}`)!;
const button = (el: HostedPaymentMethod, label: string) => [...el.shadowRoot!.querySelectorAll('button')].find((b) => textOf(b) === label)!;

describe('<cp-hosted-payment-method>', () => {
  useMockApi();
  let seen: ReturnType<typeof hostedMessages>;
  beforeEach(() => {
    seen = hostedMessages();
  });

  it('formats the card number and expiry as they are typed', () => {
    expect(formatCardNumber('4242424242424242')).to.equal('4242 4242 4242 4242');
    expect(formatCardNumber('378282246310005')).to.equal('3782 822463 10005');
    expect(formatExpiry('1')).to.equal('1');
    expect(formatExpiry('4')).to.equal('04 / ');
    expect(formatExpiry('1230')).to.equal('12 / 30');
  });

  it('trades its token once, takes it out of the address, and says it is ready', async () => {
    serve();
    const el = await open();
    await waitUntil(() => input(el, 'number'), 'no card form');
    expect(new URL(location.href).searchParams.has('token')).to.equal(false);
    expect(fake.to('/hosted/v1/payment-method/start')[0]?.body).to.deep.equal({ token: 'hpo_open_token_0123' });
    await waitUntil(() => seen.some((m) => m.type === 'cp:ready'), 'not ready');
    expect(seen.some((m) => m.type === 'cp:resize' && typeof m.height === 'number')).to.equal(true);
    expect(el.style.getPropertyValue('--cp-color-primary')).to.equal('#0f766e');
    await expect(el).to.be.accessible();
  });

  it("speaks the widget's language, right to left for Arabic, and the page says so", async () => {
    serve();
    const { lang, dir } = document.documentElement;
    const label = (el: HostedPaymentMethod) => textOf(el.shadowRoot!.querySelector('label[for="number"]'));
    const french = await open('hpo_open_token_0123', 'fr');
    await waitUntil(() => label(french) === 'Numéro de carte', 'the form is not in French');
    expect(document.documentElement.lang).to.equal('fr');
    expect(button(french, 'Enregistrer la carte')).to.exist;
    const arabic = await open('hpo_open_token_0123', 'ar');
    await waitUntil(() => label(arabic) === 'رقم البطاقة', 'the form is not in Arabic');
    expect(document.documentElement.dir).to.equal('rtl');
    await expect(arabic).to.be.accessible();
    await setLocale('en');
    Object.assign(document.documentElement, { lang, dir });
  });

  it('is dark in a dark dialog (?theme=dark): its surface, text and controls, readable', async () => {
    serve();
    const el = await open('hpo_open_token_0123', undefined, 'dark');
    await waitUntil(() => input(el, 'number'), 'no card form');
    expect(el.getAttribute('theme')).to.equal('dark');
    expect(document.documentElement.style.colorScheme).to.equal('dark');
    expect(getComputedStyle(el).backgroundColor).to.equal('rgb(24, 24, 27)');
    expect(getComputedStyle(input(el, 'number')).backgroundColor).to.equal('rgb(24, 24, 27)');
    expect(getComputedStyle(el.shadowRoot!.querySelector('label')!).color).to.equal('rgb(244, 244, 245)');
    expect(lowContrast(el)).to.deep.equal([]);
    await expect(el).to.be.accessible();
    document.documentElement.style.colorScheme = '';
  });

  it('lightens the brand colour for a dark surface, as the widget does', () => {
    expect(lighten('#4f46e5')).to.equal('#9e99f1');
    expect(lighten('#000000')).to.equal('#737373');
  });

  it('says when its token is spent, to the widget too', async () => {
    serve();
    const el = await open('hpo_used_token');
    await waitUntil(() => textOf(el.shadowRoot!.querySelector('[role="alert"]')).includes('This form has expired'), 'no message');
    await waitUntil(() => seen.some((m) => m.type === 'cp:error'), 'the widget was not told');
  });

  it('checks the number as it is typed, shows a decline in the form, then saves a good card', async () => {
    serve();
    const el = await open();
    await waitUntil(() => input(el, 'number'), 'no card form');
    type(input(el, 'number'), '4242424242424241');
    await el.updateComplete;
    expect(input(el, 'number').value).to.equal('4242 4242 4242 4241');
    expect(textOf(el.shadowRoot!.querySelector('#number-error'))).to.equal('This card number is not valid. Check it for typos.');
    expect(input(el, 'number').getAttribute('aria-invalid')).to.equal('true');

    type(input(el, 'number'), '4000000000000002');
    type(input(el, 'expiry'), '1230');
    type(input(el, 'cvc'), '123');
    button(el, 'Save card').click();
    await waitUntil(() => textOf(el.shadowRoot!.querySelector('[role="alert"]')).includes('Your card was declined.'), 'no decline message');
    expect(fake.to('/test-provider/setup-intents/tseti_1/confirm')[0]?.body).to.deep.equal({
      client_secret: 'tseti_1_secret_abc',
      number: '4000000000000002',
      exp_month: 12,
      exp_year: 30,
      cvc: '123',
    });
    expect(seen.some((m) => m.type === 'cp:success')).to.equal(false);

    type(input(el, 'number'), '4242424242424242');
    button(el, 'Save card').click();
    await waitUntil(() => seen.some((m) => m.type === 'cp:success'), 'no success');
    expect(seen.find((m) => m.type === 'cp:success')).to.deep.equal({
      type: 'cp:success',
      payment_method: SAVED,
      retried: [{ subscription_id: 'sub_1', status: 'active', ok: true, message: null }],
    });
    expect(fake.to('/hosted/v1/payment-method/complete')[0]?.body).to.deep.equal({ confirm_token: 'hpc_confirm_token_0123456789' });
    expect(textOf(el)).to.equal('Your card was saved.');
  });

  it('tells the widget when the customer cancels', async () => {
    serve();
    const el = await open();
    await waitUntil(() => input(el, 'number'), 'no card form');
    button(el, 'Cancel').click();
    await waitUntil(() => seen.some((m) => m.type === 'cp:cancel'), 'no cancel');
    // Escape inside the frame too: the widget's dialog never sees that key.
    seen.length = 0;
    input(el, 'number').dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }));
    await waitUntil(() => seen.some((m) => m.type === 'cp:cancel'), 'Escape did not cancel');
  });

  describe('under Stripe', () => {
    const calls: string[] = [];
    let decline = true;
    before(() => {
      // A stand-in for Stripe.js, installed before the page loads it (no network in tests).
      const fakeStripe = Object.assign(
        (key: string) => {
          calls.push(`Stripe(${key})`);
          return {
            elements: (options: { clientSecret: string }) => {
              calls.push(`elements(${options.clientSecret})`);
              return {
                create: (type: string) => {
                  calls.push(`create(${type})`);
                  const handlers: Record<string, () => void> = {};
                  return {
                    on: (event: string, handler: () => void) => (handlers[event] = handler),
                    mount: (host: HTMLElement) => {
                      host.textContent = 'Payment Element';
                      setTimeout(() => handlers.ready?.(), 10);
                    },
                  };
                },
              };
            },
            confirmSetup: async (options: { redirect: string }) => {
              calls.push(`confirmSetup(${options.redirect})`);
              if (decline) {
                decline = false;
                return { error: { message: 'Your card has insufficient funds.' } };
              }
              return { setupIntent: { status: 'succeeded' } };
            },
          };
        },
        { version: 3 },
      );
      (window as unknown as { Stripe: unknown }).Stripe = fakeStripe;
    });
    after(() => {
      delete (window as unknown as { Stripe?: unknown }).Stripe;
    });

    it('mounts the Payment Element and confirms the setup with it', async () => {
      serve({ ...START, provider: 'stripe', publishable_key: 'pk_test_123', client_secret: 'seti_1_secret_x' });
      const el = await open();
      await waitUntil(() => seen.some((m) => m.type === 'cp:ready'), 'not ready');
      expect(calls).to.deep.equal(['Stripe(pk_test_123)', 'elements(seti_1_secret_x)', 'create(payment)']);
      // Mounted in the light DOM, where Stripe's own iframe can live.
      expect(el.textContent).to.contain('Payment Element');
      button(el, 'Save card').click();
      await waitUntil(() => textOf(el.shadowRoot!.querySelector('[role="alert"]')).includes('Your card has insufficient funds.'), 'no decline');
      button(el, 'Save card').click();
      await waitUntil(() => seen.some((m) => m.type === 'cp:success'), 'no success');
      expect(calls.filter((c) => c.startsWith('confirmSetup'))).to.deep.equal(['confirmSetup(if_required)', 'confirmSetup(if_required)']);
      expect(fake.to('/hosted/v1/payment-method/complete')).to.have.length(1);
    });
  });
});
