// Starts msw's service worker once per test page and gives each test a clean fake server,
// a clean session and no leftover elements.
import { fixtureCleanup } from '@open-wc/testing';
import { setupWorker } from 'msw/browser';
import { connect } from '../../src/api/connection.js';
import { billing, billingHandlers } from './billing.js';
import { extraHandlers, extras } from './extras.js';
import { fake, handlers, session } from './handlers.js';

export const worker = setupWorker(...handlers, ...billingHandlers, ...extraHandlers);

let started: Promise<unknown> | undefined;

export function startWorker(): Promise<unknown> {
  started ??= worker.start({ quiet: true, onUnhandledRequest: 'bypass', serviceWorker: { url: '/mockServiceWorker.js' } });
  return started;
}

/** The connection the elements use in tests: this page's origin (where the script came from). */
export const connectionFor = (org: string) => connect(location.origin, org);

/** Signs the test customer in, as if they had entered their code earlier. */
export function signIn(org = 'acme'): void {
  connectionFor(org).session.signIn(session);
}

/** Registers the hooks: worker started before the file, everything reset around each test. */
export function useMockApi(orgs: string[] = ['acme']): void {
  before(() => startWorker());
  beforeEach(() => {
    fake.reset();
    billing.reset();
    extras.reset();
  });
  afterEach(async () => {
    fixtureCleanup();
    worker.resetHandlers();
    for (const org of orgs) await connectionFor(org).session.signOut();
    localStorage.clear();
  });
}
