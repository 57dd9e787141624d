import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { emulateMedia } from '@web/test-runner-commands';
import { signIn, useMockApi } from '../../test/msw/worker.js';
import '../index.js';
import { lowContrast } from '../testing/contrast.js';
import '../views/overview/overview.js';
import type { CustomerPortalOverview } from '../views/overview/overview.js';

const loaded = (el: HTMLElement) => waitUntil(() => el.shadowRoot!.querySelector('.card__title'), 'the overview did not load');
/** The computed colour of the first card's background and of its title. */
function colours(el: HTMLElement): { surface: string; text: string } {
  const card = el.shadowRoot!.querySelector('.card')!;
  return { surface: getComputedStyle(card).backgroundColor, text: getComputedStyle(card.querySelector('.card__title')!).color };
}
const light = { surface: 'rgb(255, 255, 255)', text: 'rgb(24, 24, 27)' };
const dark = { surface: 'rgb(24, 24, 27)', text: 'rgb(244, 244, 245)' };

describe('theme attribute', () => {
  useMockApi();
  beforeEach(() => signIn());
  afterEach(() => emulateMedia({ colorScheme: 'light' }));

  async function render(theme?: string, style = ''): Promise<CustomerPortalOverview> {
    const el = await fixture<CustomerPortalOverview>(
      html`<div style="background:${theme ? '#09090b' : '#fff'};padding:8px"><customer-portal-overview org="acme" theme=${theme ?? ''} style=${style}></customer-portal-overview></div>`,
    );
    const view = el.querySelector<CustomerPortalOverview>('customer-portal-overview')!;
    if (!theme) view.removeAttribute('theme');
    await loaded(view);
    return view;
  }

  it('is light by default, and with theme="light" even under a dark system preference', async () => {
    expect(colours(await render())).to.deep.equal(light);
    await emulateMedia({ colorScheme: 'dark' });
    expect(colours(await render('light'))).to.deep.equal(light);
  });

  it('turns the surface and text dark with theme="dark"', async () => {
    const el = await render('dark');
    expect(colours(el)).to.deep.equal(dark);
    expect(getComputedStyle(el).colorScheme).to.equal('dark');
  });

  it('follows prefers-color-scheme with theme="auto"', async () => {
    await emulateMedia({ colorScheme: 'light' });
    const el = await render('auto');
    expect(colours(el)).to.deep.equal(light);
    await emulateMedia({ colorScheme: 'dark' });
    expect(colours(el)).to.deep.equal(dark);
  });

  it("lets the host page's tokens win over the dark palette", async () => {
    const el = await render('dark', '--cp-color-surface: rgb(1, 2, 3)');
    expect(colours(el)).to.deep.equal({ ...dark, surface: 'rgb(1, 2, 3)' });
  });

  it('passes on to elements nested inside a themed ancestor, as views are inside <customer-portal>', async () => {
    const outer = await render('dark');
    const nested = document.createElement('customer-portal-overview');
    nested.setAttribute('org', 'acme');
    outer.shadowRoot!.append(nested);
    await loaded(nested);
    expect(colours(nested)).to.deep.equal(dark);
  });

  it('reaches the view inside <customer-portal>, whose parts the host page styles with customer-portal::part', async () => {
    const portal = await fixture(html`<div>
      <style>
        #themed::part(card) {
          border-top-color: rgb(1, 2, 3);
        }
      </style>
      <customer-portal id="themed" org="acme" view="overview" theme="dark"></customer-portal>
    </div>`);
    const outer = portal.querySelector('customer-portal')!;
    await waitUntil(() => outer.shadowRoot!.querySelector('customer-portal-overview'), 'the portal did not show the overview');
    const view = outer.shadowRoot!.querySelector<HTMLElement>('customer-portal-overview')!;
    await loaded(view);
    expect(colours(view)).to.deep.equal(dark);
    expect(getComputedStyle(view.shadowRoot!.querySelector('.card')!).borderTopColor).to.equal('rgb(1, 2, 3)');
  });

  it('dark on a light page: the element paints its own dark background, so its title, headings and tabs read', async () => {
    const page = await fixture(html`<div style="background:#fff"><customer-portal org="acme" theme="dark"></customer-portal></div>`);
    const portal = page.querySelector('customer-portal')!;
    await waitUntil(() => portal.shadowRoot!.querySelector('customer-portal-overview')?.shadowRoot?.querySelector('.card__title'), 'no overview');
    expect(getComputedStyle(portal).backgroundColor).to.equal('rgb(9, 9, 11)');
    expect(lowContrast(portal)).to.deep.equal([]);
  });

  it('auto under a dark system preference, as the hosted portal page is: the title, heading and active tab read on the dark page', async () => {
    await emulateMedia({ colorScheme: 'dark' });
    const page = await fixture(html`<div style="background:#09090b"><customer-portal org="acme" theme="auto"></customer-portal></div>`);
    const portal = page.querySelector('customer-portal')!;
    await waitUntil(() => portal.shadowRoot!.querySelector('customer-portal-overview')?.shadowRoot?.querySelector('.card__title'), 'no overview');
    const title = portal.shadowRoot!.querySelector('.title')!;
    await waitUntil(() => title.textContent!.trim(), 'no organization name');
    const tab = portal.shadowRoot!.querySelector('.tab[aria-current="page"]')!;
    for (const text of [title, tab]) expect(getComputedStyle(text).color).to.equal('rgb(244, 244, 245)');
    expect(lowContrast(portal)).to.deep.equal([]);
  });

  it('is accessible in dark mode (colour contrast included)', async () => {
    const el = await render('dark');
    await expect(el).to.be.accessible();
  });
});
