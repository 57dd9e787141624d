import type { Context } from 'hono';
import { ApiError } from './errors.js';
import { assertCleanJson } from './text.js';

/** application/json, with or without parameters, and the `+json` types (merge-patch, problem). */
export function isJsonContentType(header: string | undefined): boolean {
  if (!header) return false;
  const type = header.split(';', 1)[0]!.trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

// One parse per request: the edge middleware parses and checks, jsonBody() reads the result.
const parsed = new WeakMap<Context, unknown>();

/**
 * The request's JSON body, parsed once and checked: a body that is not declared as JSON is
 * 415, one that does not parse is 400 invalid_json, text with NUL or unpaired surrogates is
 * 400 invalid_text. An empty body reads as {}.
 */
export async function readJsonBody(c: Context): Promise<unknown> {
  if (parsed.has(c)) return parsed.get(c);
  const text = await c.req.text();
  let body: unknown = {};
  if (text.trim() !== '') {
    if (!isJsonContentType(c.req.header('content-type'))) {
      throw new ApiError(415, 'unsupported_media_type', 'Send the request body as JSON, with the header "Content-Type: application/json".');
    }
    try {
      body = JSON.parse(text);
    } catch {
      throw new ApiError(400, 'invalid_json', 'The request body is not valid JSON.');
    }
    assertCleanJson(body);
  }
  parsed.set(c, body);
  return body;
}
