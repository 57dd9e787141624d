import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { useMockApi } from '../test/msw/worker.js';
import './index.js';

describe('the script-tag entry', () => {
  useMockApi();

  it('keeps views out of the entry and loads one when its tag appears on the page', async () => {
    expect(customElements.get('customer-portal-account')).to.equal(undefined);
    await fixture(html`<customer-portal-account org="acme"></customer-portal-account>`);
    await waitUntil(() => customElements.get('customer-portal-account'), 'the account view was not loaded', { timeout: 10_000 });
  });

  it('registers the portal, and loads the sign-in only when one is on the page', async () => {
    expect(customElements.get('customer-portal')).to.exist;
    expect(customElements.get('customer-portal-sign-in')).to.equal(undefined);
    await fixture(html`<customer-portal-sign-in org="acme"></customer-portal-sign-in>`);
    await waitUntil(() => customElements.get('customer-portal-sign-in'), 'the sign-in was not loaded', { timeout: 10_000 });
  });
});
