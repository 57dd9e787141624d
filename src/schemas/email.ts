// The email address rule, one for both sides, without zod: the server's `emailAddress` schema
// (common.ts) checks with this pattern, and the widget's forms check with `normalizeEmail`
// before sending, so "not an email" is answered at once (zod stays out of the browser, see
// docs/decisions.md "The browser trusts its server's answers").

/** zod's own email pattern (zod/v4/core regexes `email`), kept here so the browser needs no zod. */
export const EMAIL_PATTERN = /^(?:[A-Za-z0-9_'+-]+\.)*[A-Za-z0-9_'+-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9-]*\.)+[A-Za-z]{2,}$/;

/** The address as the server stores it (trimmed, lower-cased), or undefined if it is not one. */
export function normalizeEmail(typed: string): string | undefined {
  const email = typed.trim().toLowerCase();
  return email.length <= 254 && EMAIL_PATTERN.test(email) ? email : undefined;
}
