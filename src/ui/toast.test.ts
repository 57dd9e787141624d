import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { textOf } from '../testing/dom.js';
import { resetLocale, shownIn } from '../testing/locale.js';
import './toast.js';
import type { PortalToast } from './toast.js';

const box = (toast: PortalToast) => toast.shadowRoot!.querySelector<HTMLElement>('.toast');
const shown = (toast: PortalToast) => (box(toast)?.matches(':popover-open') ? textOf(box(toast)) : '');

describe('<customer-portal-toast>', () => {
  afterEach(() => resetLocale());
  async function render(message = 'Card removed.'): Promise<PortalToast> {
    const toast = await fixture<PortalToast>(html`<customer-portal-toast .message=${message} .serial=${1}></customer-portal-toast>`);
    await toast.updateComplete;
    return toast;
  }

  it('shows the message in the top layer, at the bottom end of the window, with a Dismiss button', async () => {
    const toast = await render();
    expect(shown(toast)).to.equal('Card removed.');
    const rect = box(toast)!.getBoundingClientRect();
    expect(rect.bottom).to.be.closeTo(innerHeight - 16, 2);
    expect(rect.right).to.be.closeTo(innerWidth - 16, 2);
    await expect(toast).to.be.accessible();
    toast.shadowRoot!.querySelector<HTMLButtonElement>('button[aria-label="Dismiss"]')!.click();
    await toast.updateComplete;
    expect(shown(toast)).to.equal('');
  });

  it('is reached with Tab and closes with Escape', async () => {
    const before = await fixture(html`<div><button id="action">Remove</button><customer-portal-toast></customer-portal-toast></div>`);
    const toast = before.querySelector<PortalToast>('customer-portal-toast')!;
    toast.message = 'Seat revoked.';
    toast.serial = 1;
    await toast.updateComplete;
    before.querySelector<HTMLButtonElement>('#action')!.focus();
    await sendKeys({ press: 'Tab' });
    expect(toast.shadowRoot!.activeElement?.getAttribute('aria-label')).to.equal('Dismiss');
    await sendKeys({ press: 'Escape' });
    await toast.updateComplete;
    expect(shown(toast)).to.equal('');
  });

  it('shows the same words again for a new announcement, and goes when the message is cleared', async () => {
    const toast = await render('Copied to the clipboard.');
    toast.dismiss();
    await toast.updateComplete;
    expect(shown(toast)).to.equal('');
    toast.serial = 2;
    await toast.updateComplete;
    expect(shown(toast)).to.equal('Copied to the clipboard.');
    toast.message = '';
    await toast.updateComplete;
    expect(shown(toast)).to.equal('');
  });

  it('sits at the bottom end in Arabic too: the left, right to left', async () => {
    const toast = await fixture<PortalToast>(html`<customer-portal-toast locale="ar" .message=${'تمت إزالة البطاقة.'} .serial=${1}></customer-portal-toast>`);
    await shownIn(toast, 'ar');
    expect(toast.dir).to.equal('rtl');
    expect(box(toast)!.getBoundingClientRect().left).to.be.closeTo(16, 2);
    expect(shown(toast).startsWith('تمت')).to.equal(true);
  });
});
