// The wire contract shared by the widget (browser) and the session server (Node).
// Pure zod/mini: no DOM and no Node imports, so both sides can load it.
import * as z from 'zod/mini';
import { EMAIL_PATTERN } from './email.js';

export const errorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.optional(z.unknown()),
  }),
});
export type ErrorBody = z.infer<typeof errorBody>;

/** Emails are compared case-insensitively; we store them trimmed and lower-cased. */
export const emailAddress = z.pipe(
  z.string().check(z.trim(), z.toLowerCase(), z.maxLength(254)),
  z.email({ pattern: EMAIL_PATTERN, error: 'Enter a valid email address, like name@example.com.' }),
);

export const slug = z.string().check(
  z.regex(/^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/, {
    error: 'Use 1–48 lowercase letters, digits or hyphens, starting and ending with a letter or digit.',
  }),
);

export const paginationQuery = z.object({
  limit: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100))),
  starting_after: z.optional(z.string().check(z.maxLength(64))),
});

export function page<T extends z.ZodMiniType>(item: T) {
  return z.object({ data: z.array(item), has_more: z.boolean(), next_cursor: z.nullable(z.string()) });
}
