import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import type { Logger } from '../../lib/logger.js';
import { escapeHtml } from '../../lib/html.js';
import { FAVICON_LINK, OUTBOX_POLICY, pageHeaders } from '../../lib/page-headers.js';
import type { Mailer } from './mailer.js';

/**
 * Without SMTP_URL, mail lands in the database and can be read at /dev/outbox (never in
 * production). The log line names the subject and where to read it, not the body.
 */
export function outboxMailer(db: Kysely<DB>, clock: Clock, logger: Logger, publicUrl: string, production: boolean): Mailer {
  return {
    kind: 'outbox',
    async send(message) {
      const id = newId('eml', clock.now().getTime());
      await db
        .insertInto('outbox_emails')
        .values({
          id,
          organization_id: message.organizationId,
          to_address: message.to,
          subject: message.subject,
          text_body: message.text,
          html_body: message.html,
          created_at: clock.now(),
        })
        .execute();
      logger.info(
        { email: { id, subject: message.subject } },
        production ? 'email stored in the outbox (SMTP_URL is not set)' : `email stored; read it at ${publicUrl}/dev/outbox`,
      );
    },
  };
}

export function outboxRoutes(db: Kysely<DB>) {
  return new Hono().get('/', async (c) => {
    const rows = await db.selectFrom('outbox_emails').selectAll().orderBy('id', 'desc').limit(50).execute();
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
    return c.html(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Dev outbox</title>${FAVICON_LINK}<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:720px;margin:2rem auto;padding:0 1rem;color:#1f2937}
article{border:1px solid #e5e7eb;border-radius:10px;padding:1rem;margin:1rem 0}
pre{white-space:pre-wrap;font:14px/1.5 ui-monospace,monospace;background:#f9fafb;padding:.75rem;border-radius:6px}
small{color:#6b7280}</style></head><body>
<h1>Dev outbox</h1><p>Mail the server would have sent. Set <code>SMTP_URL</code> to send it for real. Newest first.</p>
${items || '<p><em>No mail yet. Request a sign-in code from the portal and reload this page.</em></p>'}
</body></html>`, 200, pageHeaders(OUTBOX_POLICY));
  });
}
