// What a customer sees in their language: the words, money and dates, the direction of the
// layout, and which language wins when the page, the customer and the browser disagree.
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import { billing, seatHolderScene } from '../../test/msw/billing.js';
import { fake, record, signedIn, unauthenticated } from '../../test/msw/handlers.js';
import { signIn, useMockApi, worker } from '../../test/msw/worker.js';
import { textOf } from '../testing/dom.js';
import { resetLocale, shownIn } from '../testing/locale.js';
import '../views/account/account.js';
import type { CustomerPortalAccount } from '../views/account/account.js';
import '../views/overview/overview.js';
import type { CustomerPortalOverview } from '../views/overview/overview.js';
import '../views/subscriptions/subscriptions.js';
import type { CustomerPortalSubscriptions } from '../views/subscriptions/subscriptions.js';
import { getLocale } from './localize.js';

/** The mocks' dates and amounts (test/msw/billing.ts): Pro's next invoice, alice's sign-up. */
const NEXT_INVOICE = '2025-12-11T10:00:00.000Z';
const CUSTOMER_SINCE = '2025-03-14T10:00:00.000Z';
/** Intl's answer, its no-break spaces read as spaces like textOf() reads the page. */
const spaced = (text: string) => text.replace(/\s+/g, ' ');
const usd = (locale: string, amount: number) => spaced(new Intl.NumberFormat(locale, { style: 'currency', currency: 'USD' }).format(amount));
const date = (locale: string, iso: string, dateStyle: 'medium' | 'long') => spaced(new Intl.DateTimeFormat(locale, { dateStyle }).format(new Date(iso)));

async function overview(locale: string): Promise<CustomerPortalOverview> {
  const el = await fixture<CustomerPortalOverview>(html`<customer-portal-overview org="acme" locale=${locale}></customer-portal-overview>`);
  await waitUntil(() => el.shadowRoot!.querySelector('.order'), 'the overview did not load');
  await shownIn(el, locale);
  return el;
}

async function account(locale?: string): Promise<CustomerPortalAccount> {
  const el = await fixture<CustomerPortalAccount>(
    locale
      ? html`<customer-portal-account org="acme" locale=${locale}></customer-portal-account>`
      : html`<customer-portal-account org="acme"></customer-portal-account>`,
  );
  await waitUntil(() => el.shadowRoot!.querySelector('dl'), 'the account did not load');
  return el;
}

/** The customer's language on every authenticated answer, as the server sends it. */
function customerSpeaks(language: string): void {
  fake.customer = { ...fake.customer, locale: language };
  worker.use(
    http.get('*/portal/v1/me', async ({ request }) => {
      const r = await record(request);
      return signedIn(r) ? HttpResponse.json(fake.customer, { headers: { 'Content-Language': language } }) : unauthenticated(r);
    }),
  );
}

/** The next time a language is ready, whichever it is. */
function nextReady(): Promise<string> {
  return new Promise((resolve) =>
    window.addEventListener('lit-localize-status', function listener(event) {
      if (event.detail.status !== 'ready') return;
      window.removeEventListener('lit-localize-status', listener);
      resolve(event.detail.readyLocale);
    }),
  );
}

const heading = (el: HTMLElement) => textOf(el.shadowRoot!.querySelector('h2'));
const x = (el: Element) => el.getBoundingClientRect().x;

describe('languages', () => {
  useMockApi();
  beforeEach(() => signIn());
  // One language per page: whatever a test chose must not reach the next one.
  afterEach(() => resetLocale());

  it('shows a French customer French words, money and dates with locale="fr"', async () => {
    const el = await overview('fr');
    expect([el.lang, el.dir]).to.deep.equal(['fr', 'ltr']);
    expect(heading(el)).to.equal('Aperçu');
    expect([...el.shadowRoot!.querySelectorAll('.card__title')].map((t) => textOf(t))).to.deep.equal([
      'Abonnements actifs',
      'Commandes récentes',
      'Portefeuille',
      'Avantages',
    ]);
    const pro = textOf(el.shadowRoot!.querySelector('.sub'));
    expect(pro).to.contain(usd('fr', 29));
    expect(pro).to.contain(`Prochain débit de ${usd('fr', 34.8)} le ${date('fr', NEXT_INVOICE, 'medium')}`);
    // Not the English formats: "29,00 $US", not "$29.00".
    expect(pro).not.to.contain('$29.00');
    expect(textOf(el.shadowRoot!.querySelector('.balance'))).to.equal(usd('fr', 12.5));
  });

  it('shows an Arabic customer Arabic, laid out right to left, with locale="ar"', async () => {
    const ltr = await overview('en');
    const [what, total] = [ltr.shadowRoot!.querySelector('.order__what')!, ltr.shadowRoot!.querySelector('.order__total')!];
    expect(x(what), 'in English an order reads from the left').to.be.below(x(total));
    await resetLocale();

    const el = await overview('ar');
    expect([el.lang, el.dir]).to.deep.equal(['ar', 'rtl']);
    expect(getComputedStyle(el.shadowRoot!.querySelector('section')!).direction).to.equal('rtl');
    expect(heading(el)).to.equal('نظرة عامة');
    expect(textOf(el.shadowRoot!.querySelector('.card__title'))).to.equal('الاشتراكات النشطة');
    expect(textOf(el.shadowRoot!.querySelector('.sub'))).to.contain(`الدفعة التالية ${usd('ar', 34.8)} في ${date('ar', NEXT_INVOICE, 'medium')}`);
    // Mirrored: the order's title is on the right, its amount on the left; the name of a
    // subscription is right of its status.
    const order = el.shadowRoot!.querySelector('.order')!;
    expect(x(order.querySelector('.order__what')!)).to.be.above(x(order.querySelector('.order__total')!));
    const sub = el.shadowRoot!.querySelector('.sub__head')!;
    expect(x(sub.querySelector('.sub__name')!)).to.be.above(x(sub.querySelector('.badge')!));
  });

  it('keeps money in reading order inside Arabic: each amount is a left-to-right island (<bdi>, LRI … PDI in sentences)', async () => {
    billing.orders[0] = { ...billing.orders[0]!, total: -630 }; // a credit note: the sign stays before the digits
    const el = await overview('ar');
    /** Where each character of `node` is drawn, from the left. */
    const xs = (node: Text) =>
      [...node.data].map((_, i) => {
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        return range.getBoundingClientRect().left;
      });
    /** The amount in `node` reads left to right as Intl writes it: "-6.30 US$" (sign, digits, then U, S, $). */
    const readsAsIntl = (node: Text, what: string) => {
      const text = node.data;
      const x = xs(node);
      const u = text.indexOf('US$');
      expect(u, `a currency symbol in "${text}" (${what})`).to.be.at.least(0);
      const lastDigit = text.slice(0, u).search(/\d(?!.*\d)/);
      expect(x[u]!, `"US" after the digits (${what})`).to.be.above(x[lastDigit]!);
      expect(x[u + 2]!, `"$" after "US", not before it (${what})`).to.be.above(x[u + 1]!);
      const minus = text.indexOf('-');
      if (minus >= 0) expect(x[minus]!, `the sign before the digits (${what})`).to.be.below(x[lastDigit]!);
    };
    const textIn = (node: Element) => [...node.childNodes].find((n) => n.nodeType === Node.TEXT_NODE && /\d/.test(n.textContent!)) as Text;
    const totals = [...el.shadowRoot!.querySelectorAll('.order__total bdi')];
    expect(totals, 'each amount is in a <bdi>').to.have.length(5);
    readsAsIntl(textIn(totals[0]!), 'a negative total');
    readsAsIntl(textIn(totals[1]!), 'a total');
    readsAsIntl(textIn(el.shadowRoot!.querySelector('.balance bdi')!), 'the wallet');
    // In a sentence ("Next charge 34.80 US$ on …"), the amount is wrapped in a left-to-right isolate.
    const sentence = [...el.shadowRoot!.querySelectorAll('.sub .muted')].find((n) => n.textContent!.includes('US$'))!;
    expect(sentence.textContent).to.match(/\u2066[^\u2069]+\u2069/);
    readsAsIntl(textIn(sentence), 'in a sentence');
  });

  it('keeps merchant-written English whole inside Arabic: its own direction, cut at its end, aligned with the list', async () => {
    const long = 'Acme Desktop for macOS, Windows and Linux (all editions, every platform, forever).';
    billing.benefits = [
      { id: 'bgr_1', description: long, type: 'download' },
      { id: 'bgr_2', description: 'Team Discord server!', type: 'discord' },
    ];
    const el = await overview('ar');
    const [first, second] = [...el.shadowRoot!.querySelectorAll<HTMLElement>('.orders .order__title')].filter(
      (n) => n.textContent!.includes('Team Discord') || n.textContent === long,
    );
    expect(getComputedStyle(first!).direction).to.equal('ltr');
    const box = first!.getBoundingClientRect();
    const text =
      first!.firstChild?.nodeType === Node.TEXT_NODE
        ? (first!.firstChild as Text)
        : ([...first!.childNodes].find((n) => n.nodeType === Node.TEXT_NODE) as Text);
    const range = document.createRange();
    range.setStart(text, 0);
    range.setEnd(text, 1);
    expect(range.getBoundingClientRect().left, 'the start of a long name is shown; its end is cut').to.be.at.least(box.left - 1);
    expect(first!.scrollWidth).to.be.above(first!.clientWidth);
    // A short one sits where the Arabic around it starts (the right), its "!" after its last word.
    const short = second!.getBoundingClientRect();
    const words = document.createRange();
    words.selectNodeContents(second!);
    expect(Math.abs(words.getBoundingClientRect().right - short.right), 'aligned to the right like the list').to.be.below(2);
    const bang = document.createRange();
    const node = [...second!.childNodes].find((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.includes('!')) as Text;
    const at = node.data.indexOf('!');
    bang.setStart(node, at);
    bang.setEnd(node, at + 1);
    const r = document.createRange();
    r.setStart(node, at - 1);
    r.setEnd(node, at);
    expect(bang.getBoundingClientRect().left, 'the punctuation stays after the word').to.be.at.least(r.getBoundingClientRect().right - 1);
  });

  it('tells a seat holder whose team they joined in Arabic, the names isolated', async () => {
    seatHolderScene('Acme Labs, Inc.');
    const el = await overview('ar');
    const team = el.shadowRoot!.querySelector('.team')!;
    expect(textOf(team.querySelector('.card__title'))).to.equal('فريقك');
    expect(textOf(team.querySelector('.sub__name'))).to.equal('انضممت إلى خطة Team الخاصة بـ Acme Labs, Inc.');
    expect([...team.querySelectorAll('.sub__name bdi')].map((b) => b.textContent)).to.deep.equal(['Team', 'Acme Labs, Inc.']);
    expect(textOf(el.shadowRoot!.querySelector('.lede'))).to.equal('الفريق الذي انضممت إليه وما يتضمنه مقعدك.');
  });

  it('keeps a merchant’s English description’s full stop at its end in an Arabic subscription', async () => {
    const el = await fixture<CustomerPortalSubscriptions>(html`<customer-portal-subscriptions org="acme" locale="ar"></customer-portal-subscriptions>`);
    await waitUntil(() => el.shadowRoot!.querySelector('.row[data-id]'), 'the subscriptions did not load');
    await shownIn(el, 'ar');
    el.shadowRoot!.querySelector<HTMLButtonElement>('.row[data-id="sub_pro"]')!.click();
    await waitUntil(() => el.shadowRoot!.querySelector('.hero .muted bdi'), 'no description');
    const node = [...el.shadowRoot!.querySelector('.hero .muted bdi')!.childNodes].find((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim()) as Text;
    const text = node.data;
    const at = (i: number) => {
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      return range.getBoundingClientRect();
    };
    const stop = text.lastIndexOf('.');
    expect(stop, text).to.equal(text.length - 1);
    expect(at(stop).left, 'the full stop after the last word, not before the first').to.be.at.least(at(stop - 1).right - 1);
  });

  it('points arrows the way an Arabic customer reads', async () => {
    const el = await fixture<CustomerPortalSubscriptions>(html`<customer-portal-subscriptions org="acme" locale="ar"></customer-portal-subscriptions>`);
    await waitUntil(() => el.shadowRoot!.querySelector('.row[data-id]'), 'the subscriptions did not load');
    await shownIn(el, 'ar');
    // "Open" points left, to where the row leads in a right-to-left layout; "Back" points right.
    expect(getComputedStyle(el.shadowRoot!.querySelector('.chevron')!).scale).to.equal('-1 1');
    el.shadowRoot!.querySelector<HTMLButtonElement>('.row[data-id="sub_pro"]')!.click();
    await waitUntil(() => el.shadowRoot!.querySelector('.back svg'), 'no way back');
    expect(getComputedStyle(el.shadowRoot!.querySelector('.back svg')!).scale).to.equal('-1 1');
  });

  it('follows the customer’s language (Content-Language on an authenticated answer) when the page sets none', async () => {
    customerSpeaks('fr');
    const el = await account();
    await shownIn(el, 'fr');
    expect([el.lang, el.dir]).to.deep.equal(['fr', 'ltr']);
    expect(heading(el)).to.equal('Compte');
    expect(textOf(el.shadowRoot!.querySelector('dl'))).to.contain(date('fr', CUSTOMER_SINCE, 'long'));
  });

  it('keeps the page’s locale attribute over the customer’s language', async () => {
    customerSpeaks('fr');
    const el = await account('de');
    await shownIn(el, 'de');
    expect(fake.to('/portal/v1/me')).to.have.length(1);
    expect(getLocale()).to.equal('de');
    expect([el.lang, heading(el)]).to.deep.equal(['de', 'Konto']);
  });

  it('goes back to the customer’s language when the page removes its locale attribute', async () => {
    customerSpeaks('fr');
    const el = await account('de');
    await shownIn(el, 'de');
    el.removeAttribute('locale');
    await shownIn(el, 'fr');
    expect([el.lang, heading(el)]).to.deep.equal(['fr', 'Compte']);
  });

  it('treats an unsupported locale ("tlh") as none: the customer’s language, else the browser’s', async () => {
    const el = await account('tlh');
    await shownIn(el, 'en');
    expect([el.lang, el.dir, heading(el)]).to.deep.equal(['en', 'ltr', 'Account']);
    el.remove();

    customerSpeaks('fr');
    const again = await account('tlh');
    await shownIn(again, 'fr');
    expect([again.lang, heading(again)]).to.deep.equal(['fr', 'Compte']);
  });

  it('shows the language set last, even when the one before is still loading', async () => {
    // Italian is not loaded yet on this page: its translations are on their way when the
    // page changes its mind.
    const el = await fixture<CustomerPortalAccount>(html`<customer-portal-account org="acme" locale="it"></customer-portal-account>`);
    expect(getLocale(), 'Italian had already loaded').to.equal('en');
    const ready = nextReady();
    el.locale = 'en';
    expect(await ready).to.equal('en');
    await waitUntil(() => el.shadowRoot!.querySelector('dl'), 'the account did not load');
    expect([getLocale(), el.lang, heading(el)]).to.deep.equal(['en', 'en', 'Account']);
  });
});
