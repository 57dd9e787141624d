-- The language a customer is written to in (emails, invoice and receipt PDFs): a BCP 47 tag
-- from the supported list (src/i18n/locales.ts), or NULL for "not known yet" (then the
-- organization's default_locale billing setting, then English). Set by the merchant API,
-- by the customer (PATCH /portal/v1/me) or remembered at the first sign-in.
ALTER TABLE customers ADD COLUMN locale text;
