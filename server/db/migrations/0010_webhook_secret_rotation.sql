-- Rotating a webhook endpoint's secret keeps the previous one signing next to the new one for
-- 24 hours (Standard Webhooks allows several signatures in webhook-signature), so a merchant can
-- deploy the new secret to their receiver without refusing deliveries in between.
ALTER TABLE webhook_endpoints ADD COLUMN previous_secret text;
ALTER TABLE webhook_endpoints ADD COLUMN previous_secret_expires_at timestamptz;
