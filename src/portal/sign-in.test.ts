import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import { apiError, fake, VALID_CODE } from '../../test/msw/handlers.js';
import { connectionFor, useMockApi, worker } from '../../test/msw/worker.js';
import '../index.js';
import './sign-in.js'; // loaded on demand by the entry; this file tests the element itself
import { deferred, focused, textOf } from '../testing/dom.js';
import { SignInHarness } from './sign-in.harness.js';
import type { CustomerPortalSignIn } from './sign-in.js';

const REQUEST = '/portal/v1/auth/request';
const VERIFY = '/portal/v1/auth/verify';

async function renderSignIn(cooldown = 30, message = ''): Promise<SignInHarness> {
  const element = await fixture<CustomerPortalSignIn>(
    html`<customer-portal-sign-in org="acme" resend-cooldown=${cooldown} .message=${message}></customer-portal-sign-in>`,
  );
  const harness = new SignInHarness(element);
  await waitUntil(() => harness.title.includes('Acme Cloud'), 'the organization name did not appear');
  return harness;
}

describe('<customer-portal-sign-in>', () => {
  useMockApi();

  describe('email step', () => {
    it('asks for an email under the organization’s name', async () => {
      const signIn = await renderSignIn();
      expect(signIn.title).to.equal('Sign in to Acme Cloud');
      const input = signIn.emailInput!;
      expect(input.type).to.equal('email');
      expect(input.autocomplete).to.equal('email');
      expect(textOf(input.labels?.[0])).to.equal('Email address');
      expect(signIn.codeInput).to.equal(undefined);
    });

    it('explains an invalid email and sends nothing', async () => {
      const signIn = await renderSignIn();
      await signIn.submitEmail('alice@');
      await waitUntil(() => signIn.fieldError, 'no validation message');
      expect(signIn.fieldError).to.equal('Enter a valid email address, like name@example.com.');
      expect(signIn.emailInput!.getAttribute('aria-invalid')).to.equal('true');
      expect(focused()).to.equal(signIn.emailInput);
      expect(fake.to(REQUEST)).to.have.length(0);
    });

    it('asks for an email when the field is empty', async () => {
      const signIn = await renderSignIn();
      await signIn.submitEmail('   ');
      await waitUntil(() => signIn.fieldError, 'no validation message');
      expect(signIn.fieldError).to.equal('Enter your email address.');
    });

    it('sends a code and says where it went, moving focus to the code', async () => {
      const signIn = await renderSignIn();
      const code = await signIn.toCodeStep(' Alice@Example.com ');

      const [request] = fake.to(REQUEST);
      const page = new URL(location.href);
      page.searchParams.delete('cp_token');
      // With the portal's language (the browser's here), remembered for a customer who has none.
      expect(request?.body).to.deep.equal({ organization: 'acme', email: 'alice@example.com', return_url: page.href, locale: 'en' });
      expect(signIn.subtitle).to.contain('We sent a 6-digit code to alice@example.com.');
      expect(signIn.subtitle).to.contain('check your spam folder');
      expect(code.inputMode).to.equal('numeric');
      expect(code.autocomplete).to.equal('one-time-code');
      expect(code.maxLength).to.equal(6);
      expect(focused()).to.equal(code);
    });

    it('shows the button busy while the code is being sent', async () => {
      const hold = deferred();
      worker.use(
        http.post(`*${REQUEST}`, async () => {
          await hold.promise;
          return HttpResponse.json({ accepted: true }, { status: 202 });
        }),
      );
      const signIn = await renderSignIn();
      await signIn.submitEmail('alice@example.com');
      await waitUntil(() => signIn.findButton(/Sending code/)?.getAttribute('aria-busy') === 'true', 'not busy');
      expect(signIn.button(/Sending code/).disabled).to.equal(true);
      hold.resolve();
      await waitUntil(() => signIn.codeInput, 'the code step did not appear');
    });

    it('explains rate limiting with the server’s message', async () => {
      worker.use(
        http.post(`*${REQUEST}`, () =>
          apiError(429, 'rate_limited', 'Too many attempts. Try again in 12 minutes.', { retry_after: 700 }, { 'Retry-After': '700' }),
        ),
      );
      const signIn = await renderSignIn();
      await signIn.submitEmail('alice@example.com');
      await signIn.waitForAlert('Too many attempts. Try again in 12 minutes.');
      expect(signIn.codeInput).to.equal(undefined);
      await waitUntil(() => focused() === signIn.emailInput, 'focus did not return to the email');
    });

    it('says when the server cannot be reached', async () => {
      worker.use(http.post(`*${REQUEST}`, () => HttpResponse.error()));
      const signIn = await renderSignIn();
      await signIn.submitEmail('alice@example.com');
      await signIn.waitForAlert('Could not reach the server. Check your connection and try again.');
    });

    it('shows a notice the portal passes, such as an expired session', async () => {
      const signIn = await renderSignIn(30, 'Your session has expired. Sign in again.');
      expect(signIn.status).to.equal('Your session has expired. Sign in again.');
    });

    it('is accessible', async () => {
      const signIn = await renderSignIn();
      await expect(signIn.element).to.be.accessible();
    });
  });

  describe('code step', () => {
    it('signs in as soon as the sixth digit is typed', async () => {
      const signIn = await renderSignIn();
      await signIn.toCodeStep();
      const signedIn = oneEvent(signIn.element, 'cp-signed-in');
      signIn.typeCode(VALID_CODE);
      await signedIn;
      expect(fake.to(VERIFY)[0]?.body).to.deep.equal({ organization: 'acme', email: 'alice@example.com', code: VALID_CODE });
      expect(connectionFor('acme').session.state.status).to.equal('signed-in');
    });

    for (const pasted of ['123456', '123 456', '123-456', 'Your code is: 123456']) {
      it(`signs in with a pasted code "${pasted}"`, async () => {
        const signIn = await renderSignIn();
        await signIn.toCodeStep();
        const signedIn = oneEvent(signIn.element, 'cp-signed-in');
        signIn.pasteCode(pasted);
        expect(signIn.codeInput!.value).to.equal(VALID_CODE);
        await signedIn;
        expect(fake.to(VERIFY)).to.have.length(1);
      });
    }

    it('keeps only digits while typing', async () => {
      const signIn = await renderSignIn();
      await signIn.toCodeStep();
      signIn.typeCode('12a-3');
      expect(signIn.codeInput!.value).to.equal('123');
      expect(fake.to(VERIFY)).to.have.length(0);
    });

    it('asks for all six digits when submitted early', async () => {
      const signIn = await renderSignIn();
      await signIn.toCodeStep();
      signIn.typeCode('123');
      signIn.button(/^Sign in$/).click();
      await waitUntil(() => signIn.fieldError, 'no message');
      expect(signIn.fieldError).to.equal('Enter the 6-digit code from the email.');
      expect(fake.to(VERIFY)).to.have.length(0);
    });

    it('says how many tries are left after a wrong code, and lets the customer retype', async () => {
      const signIn = await renderSignIn();
      const code = await signIn.toCodeStep();
      signIn.typeCode('000000');
      await signIn.waitForAlert('That code is incorrect. 4 tries left.');
      expect(code.disabled).to.equal(false);
      expect(code.getAttribute('aria-invalid')).to.equal('true');
      await waitUntil(() => focused() === code, 'focus did not return to the code');

      const signedIn = oneEvent(signIn.element, 'cp-signed-in');
      signIn.typeCode(VALID_CODE);
      await signedIn;
    });

    it('offers a new code right in the message when the code has expired', async () => {
      worker.use(http.post(`*${VERIFY}`, () => apiError(400, 'code_expired', 'That code has expired. Request a new code.')));
      const signIn = await renderSignIn();
      await signIn.toCodeStep();
      signIn.typeCode(VALID_CODE);
      await signIn.waitForAlert('That code has expired. Request a new code.');
      const alert = signIn.root.querySelector('[role="alert"]')!;
      expect(textOf(alert.querySelector('button'))).to.match(/^Resend code in \d+s$/);
      expect(signIn.codeInput!.disabled).to.equal(true);
    });

    it('after too many wrong tries, sends a new code from the message', async () => {
      fake.wrongTries = 4;
      const signIn = await renderSignIn(0);
      await signIn.toCodeStep();
      signIn.typeCode('999999');
      await signIn.waitForAlert('Too many wrong tries. Request a new code.');
      expect(signIn.codeInput!.disabled).to.equal(true);
      await waitUntil(() => focused()?.closest('[role="alert"]'), 'focus did not move to the resend button');

      signIn.root.querySelector<HTMLButtonElement>('[role="alert"] button')!.click();
      await waitUntil(() => signIn.status.includes('We sent a new code to alice@example.com.'), 'no confirmation');
      expect(fake.to(REQUEST)).to.have.length(2);
      expect(signIn.alert).to.equal('');
      expect(signIn.codeInput!.disabled).to.equal(false);
      expect(signIn.codeInput!.value).to.equal('');
      await waitUntil(() => focused() === signIn.codeInput, 'focus did not return to the code');
    });

    it('counts down before the code can be resent', async () => {
      const signIn = await renderSignIn(30);
      await signIn.toCodeStep();
      const resend = signIn.button(/Resend code/);
      expect(textOf(resend)).to.match(/^Resend code in (30|29)s$/);
      expect(resend.disabled).to.equal(true);
    });

    it('resends once the countdown is over', async () => {
      const signIn = await renderSignIn(0.3);
      await signIn.toCodeStep();
      expect(textOf(signIn.button(/Resend code/))).to.equal('Resend code in 1s');
      await waitUntil(() => !signIn.button(/Resend code/).disabled, 'the countdown did not end', { timeout: 3000 });
      expect(textOf(signIn.button(/Resend code/))).to.equal('Resend code');

      signIn.button(/Resend code/).click();
      await waitUntil(() => fake.to(REQUEST).length === 2, 'no second request');
      await waitUntil(() => signIn.status.includes('We sent a new code to alice@example.com.'), 'no confirmation');
      expect(signIn.button(/Resend code/).disabled).to.equal(true);
    });

    it('goes back to change the email, keeping what was typed', async () => {
      const signIn = await renderSignIn();
      await signIn.toCodeStep('alice@example.com');
      signIn.button(/Use a different email/).click();
      await waitUntil(() => signIn.emailInput, 'the email step did not come back');
      expect(signIn.emailInput!.value).to.equal('alice@example.com');
      await waitUntil(() => focused() === signIn.emailInput, 'focus did not move to the email');
    });

    it('is accessible, also with an error showing', async () => {
      const signIn = await renderSignIn();
      await signIn.toCodeStep();
      await expect(signIn.element).to.be.accessible();
      signIn.typeCode('000000');
      await signIn.waitForAlert('incorrect');
      await expect(signIn.element).to.be.accessible();
    });
  });
});
