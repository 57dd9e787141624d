import * as z from 'zod/mini';
import { emailAddress, slug } from './common.js';

export const signInRequest = z.object({
  organization: slug,
  email: emailAddress,
  /** Page the one-click link in the email should open; must be on an allowed origin. */
  return_url: z.optional(z.url({ protocol: /^https?$/ })),
  /**
   * The language the portal is shown in (BCP 47). Remembered for a customer who has none yet;
   * the Accept-Language header when absent. An unsupported tag is ignored, not refused.
   */
  locale: z.optional(z.string().check(z.maxLength(100))),
});

export const signInVerify = z.object({
  organization: slug,
  email: emailAddress,
  code: z.string().check(z.trim(), z.regex(/^\d{6}$/, { error: 'The code has 6 digits.' })),
});

export const tokenExchange = z.object({
  token: z.string().check(z.minLength(16), z.maxLength(200)),
});

export const sessionResponse = z.object({
  token: z.string(),
  expires_at: z.string(),
  return_url: z.optional(z.nullable(z.string())),
});
export type SessionResponse = z.infer<typeof sessionResponse>;
