import { Hono } from 'hono';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { DB, OutboxEmailsTable } from '../../db/schema.js';
import { secretBox } from '../../lib/secretbox.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import type { Logger } from '../../lib/logger.js';
import { escapeHtml } from '../../lib/html.js';
import { FAVICON_LINK, OUTBOX_POLICY, pageHeaders } from '../../lib/page-headers.js';
import type { Mailer } from './mailer.js';

/** After a failed attempt, the next one: 1 min, 5 min, 30 min, 2 h, 6 h; then failed for good. */
export const EMAIL_RETRY_DELAYS_MS = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 6 * 3_600_000] as const;
/** A claimed email not sent within this long belonged to a process that died: sent again by another. */
export const EMAIL_LEASE_MS = 60_000;

/**
 * The durable outbox: every email is a row first. Without SMTP it stays there ('stored') for
 * /dev/outbox. With SMTP (`transport`) it is 'pending' and sent at once if SMTP answers, else by
 * the email job (deliverDue) with retries and backoff; an SMTP outage never fails the request
 * that caused the email, a crash between storing and sending loses nothing (the job takes the
 * row again after its lease), and every attempt carries the same Message-ID (the row id). Bodies
 * are sealed at rest while pending (they may hold a sign-in code) and blanked once sent.
 * Logs name the subject and the row, never the body.
 */
export function outboxMailer(
  db: Kysely<DB>,
  clock: Clock,
  logger: Logger,
  publicUrl: string,
  production: boolean,
  smtp?: { transport: Mailer; secret: string },
): Mailer {
  const box = smtp ? secretBox(smtp.secret, 'email-outbox') : null;
  const host = new URL(publicUrl).hostname || 'localhost';
  const listeners: Array<(result: 'sent' | 'failed') => void> = [];

  /** Records a row's final outcome (its bodies dropped, its lease released) and tells the observers. */
  async function finish(id: string, result: 'sent' | 'failed', lastError: string | null = null) {
    await db
      .updateTable('outbox_emails')
      .set({ status: result, ...(result === 'sent' ? { sent_at: clock.now() } : {}), last_error: lastError, text_body: '', html_body: '', locked_until: null })
      .where('id', '=', id)
      .execute();
    for (const l of listeners) l(result);
    return result;
  }

  /** Sends one claimed row and records the outcome. */
  async function attempt(row: Selectable<OutboxEmailsTable>): Promise<'sent' | 'failed' | 'retried'> {
    const now = clock.now();
    if (row.expires_at && row.expires_at <= now) return finish(row.id, 'failed', 'expired before it could be sent');
    try {
      await smtp!.transport.send({
        organizationId: row.organization_id,
        to: row.to_address,
        subject: row.subject,
        text: box!.open(row.text_body),
        html: box!.open(row.html_body),
        messageId: `<${row.id}@${host}>`,
      });
    } catch (error) {
      const attempts = row.attempts;
      const delay = EMAIL_RETRY_DELAYS_MS[attempts - 1];
      const message = error instanceof Error ? error.message.slice(0, 300) : String(error).slice(0, 300);
      if (delay === undefined) {
        logger.warn({ email: { id: row.id, subject: row.subject, attempts } }, 'email failed for good');
        return finish(row.id, 'failed', message);
      }
      await db
        .updateTable('outbox_emails')
        .set({ last_error: message, next_attempt_at: new Date(now.getTime() + delay), locked_until: null })
        .where('id', '=', row.id)
        .execute();
      logger.warn({ email: { id: row.id, subject: row.subject, attempts }, retryInMs: delay }, 'email not sent; it will be retried');
      return 'retried';
    }
    return finish(row.id, 'sent');
  }

  /** Takes pending rows that are due and not leased (FOR UPDATE SKIP LOCKED: several instances take different rows). */
  async function claim(now: Date, only?: string) {
    const result = await sql<Selectable<OutboxEmailsTable>>`
      UPDATE outbox_emails SET locked_until = ${new Date(now.getTime() + EMAIL_LEASE_MS)}, attempts = attempts + 1
      WHERE id IN (
        SELECT id FROM outbox_emails
        WHERE status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ${now})
          AND (locked_until IS NULL OR locked_until <= ${now})
          ${only ? sql`AND id = ${only}` : sql``}
        ORDER BY next_attempt_at NULLS FIRST, id
        LIMIT 20
        FOR UPDATE SKIP LOCKED
      )
      RETURNING *`.execute(db);
    return result.rows;
  }

  return {
    kind: 'outbox',
    async send(message) {
      const now = clock.now();
      const id = newId('eml', now.getTime());
      await db
        .insertInto('outbox_emails')
        .values({
          id,
          organization_id: message.organizationId,
          to_address: message.to,
          subject: message.subject,
          text_body: box ? box.seal(message.text) : message.text,
          html_body: box ? box.seal(message.html) : message.html,
          status: smtp ? 'pending' : 'stored',
          next_attempt_at: smtp ? now : null,
          expires_at: message.expiresAt ?? null,
          created_at: now,
        })
        .execute();
      if (!smtp) {
        logger.info(
          { email: { id, subject: message.subject } },
          production ? 'email stored in the outbox (SMTP_URL is not set)' : `email stored; read it at ${publicUrl}/dev/outbox`,
        );
        return;
      }
      // Stored: from here a failure only delays it. Sent now when SMTP answers.
      try {
        for (const row of await claim(now, id)) await attempt(row);
      } catch (error) {
        logger.warn({ email: { id }, err: error }, 'email stored; the email job will send it');
      }
    },
    async deliverDue() {
      const counts = { sent: 0, failed: 0, retried: 0 };
      if (!smtp) return counts;
      for (;;) {
        const rows = await claim(clock.now());
        if (rows.length === 0) return counts;
        for (const row of rows) counts[await attempt(row)] += 1;
      }
    },
    observe(listener) {
      listeners.push(listener);
    },
    async close() {
      await smtp?.transport.close?.();
    },
  };
}

/** /v1/emails: what was sent to the organization's customers and what could not be (status=failed). */
export function merchantEmailList(db: Kysely<DB>) {
  return async (organizationId: string, opts: { status?: 'pending' | 'sent' | 'failed'; limit: number; startingAfter?: string }) => {
    let q = db
      .selectFrom('outbox_emails')
      .select(['id', 'to_address', 'subject', 'status', 'attempts', 'last_error', 'created_at', 'sent_at'])
      .where('organization_id', '=', organizationId);
    if (opts.status) q = q.where('status', '=', opts.status);
    if (opts.startingAfter) q = q.where('id', '<', opts.startingAfter);
    return q
      .orderBy('id', 'desc')
      .limit(opts.limit + 1)
      .execute();
  };
}

/** The 50 newest emails of every organization, for the dev outbox page (never mounted in production). */
export function devOutboxList(db: Kysely<DB>) {
  return () => db.selectFrom('outbox_emails').selectAll().orderBy('id', 'desc').limit(50).execute();
}

export function outboxRoutes(emails: { devOutbox: ReturnType<typeof devOutboxList> }) {
  return new Hono().get('/', async (c) => {
    const rows = await emails.devOutbox();
    const data = rows.map((r) => ({
      id: r.id,
      to: r.to_address,
      subject: r.subject,
      text: r.text_body,
      html: r.html_body,
      created_at: r.created_at.toISOString(),
    }));
    if ((c.req.header('accept') ?? '').includes('application/json')) return c.json({ data });
    const items = data
      .map(
        (m) => `<article>
  <header><strong>${escapeHtml(m.subject)}</strong><br><small>to ${escapeHtml(m.to)} · ${escapeHtml(m.created_at)}</small></header>
  <pre>${escapeHtml(m.text)}</pre>
</article>`,
      )
      .join('\n');
    return c.html(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Dev outbox</title>${FAVICON_LINK}<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:720px;margin:2rem auto;padding:0 1rem;color:#1f2937}
article{border:1px solid #e5e7eb;border-radius:10px;padding:1rem;margin:1rem 0}
pre{white-space:pre-wrap;font:14px/1.5 ui-monospace,monospace;background:#f9fafb;padding:.75rem;border-radius:6px}
small{color:#6b7280}</style></head><body>
<h1>Dev outbox</h1><p>Mail the server would have sent. Set <code>SMTP_URL</code> to send it for real. Newest first.</p>
${items || '<p><em>No mail yet. Request a sign-in code from the portal and reload this page.</em></p>'}
</body></html>`,
      200,
      pageHeaders(OUTBOX_POLICY),
    );
  });
}
