import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import { setLocale } from '../i18n/localize.js';
import { lowContrast } from '../testing/contrast.js';
import { textOf } from '../testing/dom.js';
import { hostedAddress, hostedMessages } from '../testing/hosted.js';
import { apiError, fake, record } from '../../test/msw/handlers.js';
import { useMockApi, worker } from '../../test/msw/worker.js';
import './confirm-payment.js';
import type { HostedConfirmPayment } from './confirm-payment.js';

const START = {
  status: 'requires_action',
  provider: 'test',
  publishable_key: null,
  payment_intent_id: 'tpi_1',
  client_secret: 'tpi_1_secret_abc',
  confirm_token: 'hpc_confirm_token_0123456789',
  parent_origin: location.origin,
  order: { id: 'ord_9', invoice_number: 'INV-0009', total: 2900, currency: 'USD', subscription_id: 'sub_pro' },
  organization: { name: 'Acme Cloud', primary_color: '#0f766e' },
};
const FAILED = 'Your bank could not confirm the payment. Try again, or use another card. We will try again on 2025-11-24.';

/** The confirm page's server side: start (open token once, or the confirm token again), the test bank, complete. */
function serve(): void {
  let outcome = '';
  worker.use(
    http.post('*/hosted/v1/confirm-payment/start', async ({ request }) => {
      const { body } = await record(request);
      const b = body as { token?: string; confirm_token?: string };
      return b.token === 'hpo_open_token_0123' || b.confirm_token === START.confirm_token
        ? HttpResponse.json(START)
        : apiError(400, 'hosted_token_invalid', 'This page has expired or was already used. Close it and try again.');
    }),
    http.post('*/test-provider/payment-intents/:id/authenticate', async ({ request }) => {
      const { body } = await record(request);
      outcome = (body as { outcome: string }).outcome;
      return HttpResponse.json({ status: outcome === 'approve' ? 'succeeded' : 'requires_action' });
    }),
    http.post('*/hosted/v1/confirm-payment/complete', async ({ request }) => {
      await record(request);
      if (outcome !== 'approve') return apiError(402, 'authentication_failed', FAILED, { can_retry: true });
      return HttpResponse.json({ status: 'succeeded', order: START.order, subscription: { id: 'sub_pro', status: 'active' } });
    }),
  );
}

async function open(token = 'hpo_open_token_0123', params: { theme?: string; locale?: string } = {}): Promise<HostedConfirmPayment> {
  hostedAddress(token, params);
  return fixture<HostedConfirmPayment>(html`<cp-hosted-confirm-payment></cp-hosted-confirm-payment>`);
}

const button = (el: HostedConfirmPayment, label: string) => [...el.shadowRoot!.querySelectorAll('button')].find((b) => textOf(b) === label);
const text = (el: HostedConfirmPayment) => textOf(el.shadowRoot!.firstElementChild);

describe('<cp-hosted-confirm-payment>', () => {
  useMockApi();
  let seen: ReturnType<typeof hostedMessages>;
  beforeEach(() => {
    seen = hostedMessages();
  });

  it('trades its token once, shows the amount and the test bank, and says it is ready', async () => {
    serve();
    const el = await open();
    await waitUntil(() => button(el, 'Approve payment'), 'no challenge');
    expect(new URL(location.href).searchParams.has('token')).to.equal(false);
    expect(fake.to('/hosted/v1/confirm-payment/start')[0]?.body).to.deep.equal({ token: 'hpo_open_token_0123' });
    expect(text(el)).to.contain('$29.00');
    expect(text(el)).to.contain('Your bank asks you to confirm this payment to Acme Cloud for invoice INV-0009.');
    expect(text(el)).to.contain('Test bank · 3-D Secure');
    await waitUntil(() => seen.some((m) => m.type === 'cp:ready'), 'not ready');
    expect(el.style.getPropertyValue('--cp-color-primary')).to.equal('#0f766e');
    await expect(el).to.be.accessible();
  });

  it('approved: the server settles it, the page says so and tells the widget', async () => {
    serve();
    const el = await open();
    await waitUntil(() => button(el, 'Approve payment'), 'no challenge');
    button(el, 'Approve payment')!.click();
    await waitUntil(() => text(el).includes('Payment of $29.00 confirmed. Thank you!'), 'not confirmed');
    expect(fake.to('/test-provider/payment-intents/tpi_1/authenticate')[0]?.body).to.deep.equal({ client_secret: 'tpi_1_secret_abc', outcome: 'approve' });
    expect(fake.to('/hosted/v1/confirm-payment/complete')[0]?.body).to.deep.equal({ confirm_token: START.confirm_token });
    const success = seen.find((m) => m.type === 'cp:success');
    expect(success).to.deep.equal({ type: 'cp:success', order_id: 'ord_9', subscription: { id: 'sub_pro', status: 'active' } });
  });

  it('failed: says what happens next, focuses the message, and Try again brings the challenge back', async () => {
    serve();
    const el = await open();
    await waitUntil(() => button(el, 'Fail authentication'), 'no challenge');
    button(el, 'Fail authentication')!.click();
    await waitUntil(() => el.shadowRoot!.querySelector('[role="alert"]'), 'no message');
    const alert = el.shadowRoot!.querySelector<HTMLElement>('[role="alert"]')!;
    expect(textOf(alert)).to.equal(FAILED);
    await waitUntil(() => el.shadowRoot!.activeElement === alert, 'the message is not focused');
    expect(seen.some((m) => m.type === 'cp:success')).to.equal(false);
    await expect(el).to.be.accessible();
    button(el, 'Try again')!.click();
    await waitUntil(() => button(el, 'Approve payment'), 'the challenge did not come back');
    expect(fake.to('/hosted/v1/confirm-payment/start').at(-1)?.body).to.deep.equal({ confirm_token: START.confirm_token });
    // Escape, inside the frame, closes the widget's dialog.
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    await waitUntil(() => seen.some((m) => m.type === 'cp:cancel'), 'Escape did not close it');
  });

  it('says when its token is spent, to the widget too', async () => {
    serve();
    const el = await open('hpo_used_token');
    await waitUntil(() => text(el).includes('This page has expired or was already used.'), 'no message');
    await waitUntil(() => seen.some((m) => m.type === 'cp:error'), 'the widget was not told');
  });

  it('is dark in a dark dialog (?theme=dark), readable', async () => {
    serve();
    const el = await open('hpo_open_token_0123', { theme: 'dark' });
    await waitUntil(() => button(el, 'Approve payment'), 'no challenge');
    expect(el.getAttribute('theme')).to.equal('dark');
    expect(document.documentElement.style.colorScheme).to.equal('dark');
    expect(getComputedStyle(el).backgroundColor).to.equal('rgb(24, 24, 27)');
    expect(lowContrast(el)).to.deep.equal([]);
    button(el, 'Fail authentication')!.click();
    await waitUntil(() => el.shadowRoot!.querySelector('[role="alert"]'), 'no message');
    expect(lowContrast(el)).to.deep.equal([]);
    document.documentElement.style.colorScheme = '';
  });

  it('speaks Arabic right to left, the amount kept left to right', async () => {
    serve();
    const { lang, dir } = document.documentElement;
    const el = await open('hpo_open_token_0123', { locale: 'ar' });
    await waitUntil(() => button(el, 'الموافقة على الدفع'), 'not in Arabic');
    expect(document.documentElement.dir).to.equal('rtl');
    expect(el.shadowRoot!.querySelector('.amount bdi')?.getAttribute('dir')).to.equal('ltr');
    // The organization and the invoice number are islands in the Arabic sentence; the number does not wrap at its hyphen.
    const sentence = el.shadowRoot!.querySelector('.wrap .muted')!.textContent!;
    expect(sentence).to.contain('\u2068Acme Cloud\u2069');
    expect(sentence).to.contain('\u2068INV-\u20600009\u2069');
    await expect(el).to.be.accessible();
    await setLocale('en');
    Object.assign(document.documentElement, { lang, dir });
  });
});
