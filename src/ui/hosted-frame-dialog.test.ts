// The hosted-frame dialog on its own, with a page of its own (not the card form nor the confirm
// page): what the two dialogs' own tests do not reach. Their tests (payment-methods, overview,
// subscriptions) cover the protocol itself: ready, resize, cancel, error, success, Escape.
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { ApiError } from '../api/errors.js';
import type { Http } from '../api/http.js';
import type { HostedSession } from '../schemas/payments.js';
import type { PortalDialog } from './dialog.js';
import { type HostedFrame, HostedFrameDialog } from './hosted-frame-dialog.js';

/** Each address asked for, answered when the test says. */
let asked: Array<{ resolve: (session: HostedSession) => void; reject: (error: unknown) => void }> = [];
const session = (token: string): HostedSession => ({ url: `about:blank?token=${token}`, server_origin: location.origin, expires_at: '2030-01-01T00:00:00Z' });

class TestFrameDialog extends HostedFrameDialog<{ id: string }> {
  done: string[] = [];
  protected override hostedFrame(): HostedFrame {
    return { title: 'Test page', frame: 'The test page', loading: 'Loading the test page…', bars: [['50%']] };
  }
  protected override openSession(_http: Http): Promise<HostedSession> {
    return new Promise((resolve, reject) => asked.push({ resolve, reject }));
  }
  protected override succeeded(done: { id: string }): void {
    this.done.push(done.id);
    this.close();
  }
}
TestFrameDialog.define('test-hosted-frame-dialog');

const frame = (el: TestFrameDialog) => el.shadowRoot!.querySelector('iframe');
const dialog = (el: TestFrameDialog) => el.shadowRoot!.querySelector<PortalDialog>('customer-portal-dialog')!;
const post = (data: unknown, origin: string, source: Window | null) => window.dispatchEvent(new MessageEvent('message', { data, origin, source }));

async function opened(): Promise<TestFrameDialog> {
  const el = await fixture<TestFrameDialog>(html`<test-hosted-frame-dialog open .http=${{} as Http}></test-hosted-frame-dialog>`);
  await waitUntil(() => asked.length === 1, 'no address asked for');
  return el;
}

describe('HostedFrameDialog', () => {
  beforeEach(() => {
    asked = [];
  });

  it('listens only to its own iframe: not the page, not another frame of the same origin, not another origin', async () => {
    const el = await opened();
    asked[0]!.resolve(session('one'));
    await waitUntil(() => frame(el), 'no iframe');
    const other = document.createElement('iframe');
    document.body.append(other);
    try {
      for (const source of [window, other.contentWindow]) {
        post({ type: 'cp:ready' }, location.origin, source);
        post({ type: 'cp:success', id: 'forged' }, location.origin, source);
      }
      post({ type: 'cp:success', id: 'forged' }, 'https://evil.example', frame(el)!.contentWindow);
      await el.updateComplete;
      expect([frame(el)!.style.height, el.done, dialog(el).open]).to.deep.equal(['0px', [], true]);
      expect(el.shadowRoot!.querySelector('[role="status"]')?.getAttribute('aria-label')).to.equal('Loading the test page…');

      post({ type: 'cp:ready' }, location.origin, frame(el)!.contentWindow);
      post({ type: 'cp:resize', height: 260 }, location.origin, frame(el)!.contentWindow);
      await waitUntil(() => frame(el)!.style.height === '260px', 'not resized');
      expect(el.shadowRoot!.querySelector('[role="status"]'), 'the skeleton stayed').to.equal(null);
      post({ type: 'cp:success', id: 'real' }, location.origin, frame(el)!.contentWindow);
      await waitUntil(() => !dialog(el).open, 'not closed');
      expect(el.done).to.deep.equal(['real']);
    } finally {
      other.remove();
    }
  });

  it('closed while its address was on the way: that address is dropped, and opened again it asks for a new one', async () => {
    const el = await opened();
    dialog(el).requestClose();
    await el.updateComplete;
    expect(el.open).to.equal(false);
    // The late answer would load a page nobody sees, spending its single-use token.
    asked[0]!.resolve(session('late'));
    await new Promise((resolve) => setTimeout(resolve));
    await el.updateComplete;
    expect(Boolean(frame(el)), 'a page loaded in the closed dialog').to.equal(false);

    el.open = true;
    await waitUntil(() => asked.length === 2, 'opened again, it asked for no new address');
    asked[1]!.resolve(session('fresh'));
    await waitUntil(() => frame(el), 'no iframe');
    expect(frame(el)!.getAttribute('src')).to.match(/^about:blank\?token=fresh&/);
  });

  it('a failure closed over comes back as a new page, not the old error', async () => {
    const el = await opened();
    dialog(el).requestClose();
    await el.updateComplete;
    asked[0]!.reject(new ApiError(0, 'network', 'Could not reach the server.'));
    await new Promise((resolve) => setTimeout(resolve));
    el.open = true;
    await waitUntil(() => asked.length === 2, 'opened again, it showed the old error instead of asking');
    await el.updateComplete;
    expect(el.shadowRoot!.textContent).not.to.contain('Could not reach the server.');
  });

  it('says its failure in the alert region that was there before it, and "Try again" keeps focus in the dialog', async () => {
    const el = await opened();
    const region = el.shadowRoot!.querySelector('[role="alert"]');
    expect(region, 'no alert region before the failure').to.exist;
    asked[0]!.reject(new ApiError(0, 'network', 'Could not reach the server.'));
    await waitUntil(() => region!.textContent!.includes('Could not reach the server.'), 'the failure is not in the alert region');
    await expect(el).to.be.accessible();

    const retry = region!.querySelector<HTMLButtonElement>('button')!;
    expect(retry.textContent!.trim()).to.equal('Try again');
    retry.focus();
    retry.click();
    await waitUntil(() => asked.length === 2, 'no new address asked for');
    await el.updateComplete;
    // The button went with the error: focus moves to the dialog's close button, not the page's body.
    expect(dialog(el).shadowRoot!.activeElement?.getAttribute('aria-label')).to.equal('Close');
  });
});
