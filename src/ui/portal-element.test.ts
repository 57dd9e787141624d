import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { SignedInEvent, SignedOutEvent } from '../events.js';
import { PortalElement } from './portal-element.js';

class TestElement extends PortalElement {
  override render() {
    return html`<button>inside</button>`;
  }
}

describe('PortalElement', () => {
  it('define() does not throw when the tag is already registered (the script loaded twice)', () => {
    TestElement.define('cp-test-element');
    expect(() => TestElement.define('cp-test-element')).not.to.throw();
    // A second copy of the script brings a second class for the same tag.
    class SecondCopy extends PortalElement {}
    expect(() => SecondCopy.define('cp-test-element')).not.to.throw();
    expect(customElements.get('cp-test-element')).to.equal(TestElement);
  });

  it('emit() dispatches events that bubble out of shadow roots to the page', async () => {
    TestElement.define('cp-test-element');
    const outer = await fixture(html`<div><cp-test-element></cp-test-element></div>`);
    const element = outer.querySelector<TestElement>('cp-test-element')!;
    // Dispatched from inside a shadow root, as nested elements do.
    const inner = element.shadowRoot!.querySelector('button')!;

    const heard = oneEvent(document, 'cp-signed-in');
    inner.dispatchEvent(new SignedInEvent({ customerId: 'cus_1' }));
    const event = await heard;
    expect(event.bubbles).to.equal(true);
    expect(event.composed).to.equal(true);
    expect(event.detail).to.deep.equal({ customerId: 'cus_1' });
    expect(event.target).to.equal(element);

    const signedOut = oneEvent(outer, 'cp-signed-out');
    expect(element.emit(new SignedOutEvent({ reason: 'expired' }))).to.be.instanceOf(SignedOutEvent);
    expect((await signedOut).detail.reason).to.equal('expired');
  });
});
