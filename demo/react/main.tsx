// The React demo: a merchant's single-page app that embeds the portal through
// `customer-portal/react`, bundled with React by vite (`demo` in build/library.ts → dist/demo/).
// Its own navigation shows the whole portal or single views, and it reacts to the portal's
// events with typed `on…` props: a toast and an activity log.
import { StrictMode, useCallback, useState, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
// A merchant writes `from 'customer-portal/react'`; the demo builds from the source.
import {
  CustomerPortal,
  CustomerPortalOrders,
  CustomerPortalPaymentMethods,
  CustomerPortalSubscriptions,
  type InvoiceDownloadedEvent,
  type PaymentMethodUpdatedEvent,
  type SignedInEvent,
  type SignedOutEvent,
  type SubscriptionCanceledEvent,
  type SubscriptionChangedEvent,
} from '../../src/react/index.js';

/** Your portal server. Bundled into your app, the elements cannot guess it from their script's address. */
const SERVER_URL = window.location.origin;
const ORG = 'acme';

type Page = 'billing' | 'subscriptions' | 'invoices' | 'cards';
const PAGES: Array<{ id: Page; label: string; title: string; lede: string; component: string }> = [
  { id: 'billing', label: 'Billing', title: 'Billing', lede: 'The whole portal', component: 'CustomerPortal' },
  { id: 'subscriptions', label: 'Subscriptions', title: 'Your plan', lede: 'One view on its own', component: 'CustomerPortalSubscriptions' },
  { id: 'invoices', label: 'Invoices', title: 'Invoices', lede: 'Loaded when first shown', component: 'CustomerPortalOrders' },
  { id: 'cards', label: 'Payment methods', title: 'Payment methods', lede: 'Cards in the hosted form', component: 'CustomerPortalPaymentMethods' },
];

interface LogEntry {
  id: number;
  text: string;
}

function App() {
  const [page, setPage] = useState<Page>('billing');
  // Known from the events only: a session kept from an earlier visit signs in without one.
  const [signedIn, setSignedIn] = useState<boolean>();
  const [log, setLog] = useState<LogEntry[]>([]);
  const [toast, setToast] = useState<LogEntry>();

  const record = useCallback((text: string) => {
    const entry = { id: Date.now() + Math.random(), text };
    setLog((entries) => [entry, ...entries].slice(0, 8));
    setToast(entry);
    setTimeout(() => setToast((shown) => (shown === entry ? undefined : shown)), 4000);
  }, []);

  // The same handlers serve every element: events bubble out of whichever one the customer uses.
  const handlers = {
    onSignedIn: (_event: SignedInEvent) => {
      setSignedIn(true);
      record('Signed in to billing');
    },
    onSignedOut: (event: SignedOutEvent) => {
      setSignedIn(false);
      record(event.detail.reason === 'expired' ? 'Billing session expired' : 'Signed out of billing');
    },
    onSubscriptionCanceled: (event: SubscriptionCanceledEvent) =>
      record(
        event.detail.mode === 'at_period_end' ? `Subscription cancels on ${new Date(event.detail.endsAt).toLocaleDateString('en')}` : 'Subscription canceled',
      ),
    onSubscriptionUncanceled: () => record('Cancellation taken back'),
    onSubscriptionChanged: (event: SubscriptionChangedEvent) => record(`Subscription changed: ${event.detail.change.replace('_', ' ')}`),
    onInvoiceDownloaded: (event: InvoiceDownloadedEvent) => record(`Downloaded ${event.detail.document} ${event.detail.invoiceNumber}`),
    onPaymentMethodUpdated: (event: PaymentMethodUpdatedEvent) => record(`Payment method ${event.detail.change}`),
  };
  const common = { org: ORG, serverUrl: SERVER_URL };
  const current = PAGES.find((p) => p.id === page)!;

  let content: ReactNode;
  if (page === 'billing') content = <CustomerPortal {...common} {...handlers} onSeatChanged={(e) => record(`Seat ${e.detail.change}: ${e.detail.email}`)} />;
  if (page === 'subscriptions') content = <CustomerPortalSubscriptions {...common} {...handlers} />;
  if (page === 'invoices') content = <CustomerPortalOrders {...common} {...handlers} />;
  if (page === 'cards') content = <CustomerPortalPaymentMethods {...common} {...handlers} />;

  return (
    <>
      <header className="topbar">
        <a className="brand" href="/demo/react.html">
          <span className="brand-mark" aria-hidden="true">
            A
          </span>
          Acme Cloud
        </a>
        <span className="framework">React</span>
        <span className={signedIn ? 'status status--on' : 'status'} role="status">
          {signedIn === undefined ? '' : signedIn ? 'Billing: signed in' : 'Billing: signed out'}
        </span>
      </header>
      <div className="layout">
        <nav className="sidebar" aria-label="Billing pages">
          <ul>
            {PAGES.map((p) => (
              <li key={p.id}>
                <a
                  href={`#${p.id}`}
                  aria-current={p.id === page ? 'page' : undefined}
                  onClick={(event) => {
                    event.preventDefault();
                    setPage(p.id);
                  }}
                >
                  {p.label}
                </a>
              </li>
            ))}
          </ul>
          <section className="activity" aria-label="Portal events">
            <h2>Portal events</h2>
            {log.length ? (
              <ol>
                {log.map((entry) => (
                  <li key={entry.id}>{entry.text}</li>
                ))}
              </ol>
            ) : (
              <p>None yet: sign in, cancel a plan, download an invoice…</p>
            )}
          </section>
        </nav>
        <main>
          <div className="page-header">
            <h1>{current.title}</h1>
            <p>
              {current.lede}: <code>&lt;{current.component}&gt;</code>
            </p>
          </div>
          <p className="dev-hint">
            Demo: sign in as <strong>alice@example.com</strong>; your code is at <a href="/dev/outbox">/dev/outbox</a>. The same portal by script tag:{' '}
            <a href="/demo/">/demo/</a>.
          </p>
          {content}
        </main>
      </div>
      {toast && (
        <div className="toast" role="alert" key={toast.id}>
          {toast.text}
        </div>
      )}
    </>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
