-- Durable email: every email is a row first (outbox_emails), sent by a job with retries.
-- 'stored': no SMTP_URL, kept for the dev outbox; 'pending': waiting to be sent (next_attempt_at,
-- locked_until while a worker sends it); 'sent'; 'failed' after the last attempt (the merchant
-- sees it: GET /v1/emails?status=failed). The row id is the Message-ID, so a send repeated after
-- a crash is the same message to the receiving server. With SMTP the bodies are sealed at rest
-- (they may hold a sign-in code) and blanked once sent.
ALTER TABLE outbox_emails ADD COLUMN status text NOT NULL DEFAULT 'stored' CHECK (status IN ('stored', 'pending', 'sent', 'failed'));
ALTER TABLE outbox_emails ADD COLUMN attempts integer NOT NULL DEFAULT 0;
ALTER TABLE outbox_emails ADD COLUMN next_attempt_at timestamptz;
ALTER TABLE outbox_emails ADD COLUMN locked_until timestamptz;
ALTER TABLE outbox_emails ADD COLUMN last_error text;
ALTER TABLE outbox_emails ADD COLUMN sent_at timestamptz;
-- A sign-in code's email is worth nothing after the code expires: not sent later than this.
ALTER TABLE outbox_emails ADD COLUMN expires_at timestamptz;
CREATE INDEX outbox_emails_due ON outbox_emails (next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_emails_organization ON outbox_emails (organization_id, id);
