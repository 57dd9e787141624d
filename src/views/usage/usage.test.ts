import { expect, fixture, html } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import { extras } from '../../../test/msw/extras.js';
import { signIn, useMockApi, worker } from '../../../test/msw/worker.js';
import { textOf } from '../../testing/dom.js';
import { resetLocale, shownIn } from '../../testing/locale.js';
import { ViewHarness } from '../../testing/view.harness.js';
import './usage.js';
import type { CustomerPortalUsage } from './usage.js';

async function render(): Promise<ViewHarness<CustomerPortalUsage>> {
  const h = new ViewHarness(await fixture<CustomerPortalUsage>(html`<customer-portal-usage org="acme"></customer-portal-usage>`));
  await h.until(() => h.root.querySelector('article, .empty'), 'the usage did not load');
  return h;
}

describe('<customer-portal-usage>', () => {
  useMockApi();
  beforeEach(() => signIn());

  it('shows each meter against what is included, with the overage', async () => {
    const h = await render();
    expect(h.text).to.contain('API requests API add-on');
    expect(h.text).to.contain('12,500 requests of 10,000 requests included · 125%');
    expect(h.text).to.contain('2,500 requests over what is included, at $0.01 each: $25.00 is added to your next invoice.');
    await expect(h.element).to.be.accessible();
  });

  it('right to left, the plan’s name and the period stay apart (each isolated)', async () => {
    try {
      const h = new ViewHarness(await fixture<CustomerPortalUsage>(html`<customer-portal-usage org="acme" locale="ar"></customer-portal-usage>`));
      await h.until(() => h.root.querySelector('article .card__description bdi'), 'the usage did not load');
      await shownIn(h.element, 'ar');
      const [product, period] = [...h.root.querySelectorAll('article .card__description bdi')].map((b) => b.getBoundingClientRect());
      // Read from the right: the plan's name first, then the period, each in one piece.
      expect(product!.left, 'the name right of the period').to.be.at.least(period!.right);
      expect(textOf(h.root.querySelector('article .card__description bdi'))).to.equal('API add-on');
    } finally {
      resetLocale();
    }
  });

  it('draws the history as an image with a summary and the numbers as a table', async () => {
    const h = await render();
    const chart = h.root.querySelector('svg[role="img"]')!;
    expect(chart.querySelectorAll('rect')).to.have.length(20);
    expect(chart.getAttribute('aria-label')).to.match(/^API requests each day this period: [\d,]+ requests in all, the most [\d,]+ requests on .+\.$/);
    const table = h.root.querySelector('.visually-hidden table')!;
    expect(table.querySelectorAll('tr')).to.have.length(21);
    expect(textOf(table.querySelector('tr'))).to.equal('Day API requests');

    h.button(/^Past periods$/).click();
    await h.until(() => chart.isConnected && h.root.querySelectorAll('svg rect').length === 2, 'no periods');
    expect(h.root.querySelector('svg')!.getAttribute('aria-label')).to.contain('in the last 2 periods: 17,400 requests in all, the most 9,400 requests');
    expect(h.button(/^Past periods$/).getAttribute('aria-pressed')).to.equal('true');
  });

  it('says so when nothing is metered', async () => {
    extras.meters = [];
    const h = await render();
    expect(h.text).to.contain('No metered usage');
  });

  it('explains a failure', async () => {
    worker.use(
      http.get('*/portal/v1/usage', () =>
        HttpResponse.json({ error: { code: 'section_disabled', message: 'Usage is not available in this portal.' } }, { status: 403 }),
      ),
    );
    const h = new ViewHarness(await fixture<CustomerPortalUsage>(html`<customer-portal-usage org="acme"></customer-portal-usage>`));
    expect(h.text).to.contain('Loading your usage…');
    await h.shows('Usage is not available in this portal.');
  });
});
