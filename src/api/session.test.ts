import { expect } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import { alice, apiError, fake, session, SESSION_TOKEN } from '../../test/msw/handlers.js';
import { connectionFor, useMockApi, worker } from '../../test/msw/worker.js';
import type { SessionState } from './session.js';
import { ApiError } from './errors.js';
import { connect } from './connection.js';
import { fetchMe } from './me.js';
import { fetchOrganization } from './organization.js';

describe('session and API client', () => {
  useMockApi(['acme', 'other']);

  it('shares one session per server and organization, kept across reloads', () => {
    const acme = connectionFor('acme');
    expect(connect(`${location.origin}/`, 'acme')).to.equal(acme);
    expect(connectionFor('other')).to.not.equal(acme);

    acme.session.signIn(session);
    expect(localStorage.getItem(`customer-portal:session:${location.origin}:acme`)).to.contain(SESSION_TOKEN);
    expect(connectionFor('other').session.state.status).to.equal('signed-out');
  });

  it('tells listeners about every change', async () => {
    const { session: store } = connectionFor('acme');
    const seen: SessionState['status'][] = [];
    const stop = store.subscribe((state) => seen.push(state.status));
    store.signIn(session);
    store.expire('Your session has expired. Sign in again.');
    stop();
    store.signIn(session);
    expect(seen).to.deep.equal(['signed-in', 'expired']);
  });

  it('sends the bearer token and parses the answer', async () => {
    const { http: client, session: store } = connectionFor('acme');
    store.signIn(session);
    const me = await fetchMe(client);
    expect(me).to.deep.equal(alice);
    expect(fake.to('/portal/v1/me')[0]?.authorization).to.equal(`Bearer ${SESSION_TOKEN}`);
  });

  it('ends the session with a message on a 401', async () => {
    const { http: client, session: store } = connectionFor('acme');
    store.signIn(session);
    worker.use(http.get('*/portal/v1/me', () => apiError(401, 'session_expired', 'Your session has expired or was signed out. Sign in again.')));
    const error = await fetchMe(client).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ApiError);
    expect(store.state).to.deep.equal({ status: 'expired', message: 'Your session has expired. Sign in again.' });
    expect(localStorage.length).to.equal(0);
  });

  it('carries the server’s error code, message and details', async () => {
    worker.use(http.get('*/portal/v1/organizations/:slug', () => apiError(404, 'not_found', 'Organization was not found.', { slug: 'nope' })));
    const error = (await fetchOrganization(connectionFor('acme').http, 'nope').catch((e: unknown) => e)) as ApiError;
    expect([error.status, error.code, error.message, error.details]).to.deep.equal([404, 'not_found', 'Organization was not found.', { slug: 'nope' }]);
  });

  it('turns an answer that does not match the contract into a clear error', async () => {
    worker.use(http.get('*/portal/v1/organizations/:slug', () => HttpResponse.json({ slug: 'acme' })));
    const error = (await fetchOrganization(connectionFor('acme').http, 'acme').catch((e: unknown) => e)) as ApiError;
    expect(error.code).to.equal('invalid_response');
  });

  it('passes an abort through untouched', async () => {
    const controller = new AbortController();
    const pending = fetchOrganization(connectionFor('acme').http, 'acme', controller.signal).catch((e: unknown) => e);
    controller.abort();
    expect(((await pending) as Error).name).to.equal('AbortError');
  });
});
