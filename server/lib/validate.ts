import type { Context } from 'hono';
import { z } from 'zod';
import type * as zm from 'zod/mini';
import { ApiError } from './errors.js';
import { readJsonBody } from './request-body.js';
import { invalidText, isBadText } from './text.js';

// Importing 'zod' (not only 'zod/mini') loads the English error messages on the server.
void z;

type Schema = zm.ZodMiniType | z.ZodType;

function fail(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): never {
  const details = issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  const first = details[0];
  // The message is shown to the customer as it is ("Enter a valid email address."): the field it
  // is about is in `details` (path), never glued to the words ("email: Enter a valid…").
  const message = first ? first.message : 'Invalid request.';
  throw new ApiError(400, 'validation_error', message, details);
}

export function parseWith<S extends Schema>(schema: S, value: unknown): z.output<S> {
  const result = (schema as z.ZodType).safeParse(value);
  if (!result.success) fail(result.error.issues);
  return result.data as z.output<S>;
}

/** The JSON body (parsed once, refused if not JSON or holding bad text; see readJsonBody), validated. */
export async function jsonBody<S extends Schema>(c: Context, schema: S): Promise<z.output<S>> {
  return parseWith(schema, await readJsonBody(c));
}

export function queryParams<S extends Schema>(c: Context, schema: S): z.output<S> {
  const query = c.req.query();
  // The edge middleware refused these already; checked again for a router mounted without it.
  for (const key in query) if (isBadText(key) || isBadText(query[key]!)) throw invalidText(key, 'query');
  return parseWith(schema, query);
}
