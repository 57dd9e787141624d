// The one check for text that reaches the database: Postgres refuses a NUL character in
// text and jsonb, and an unpaired UTF-16 surrogate cannot be stored as UTF-8 (jsonb refuses
// the escape). Both are refused at the edge with 400 invalid_text, naming the field.
import { ApiError } from './errors.js';

/** JSON nested deeper than this is refused: nothing the API accepts comes close. */
export const MAX_JSON_DEPTH = 32;

// A NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const BAD_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const BAD_TEXT_ALL = new RegExp(BAD_TEXT.source, 'g');

/** True when the string holds a NUL or an unpaired surrogate. */
export function isBadText(value: string): boolean {
  return BAD_TEXT.test(value);
}

export type TextProblem = { path: string; reason: 'invalid_text' | 'too_deep'; inKey: boolean };

type Found = { segments: Array<string | number>; reason: TextProblem['reason']; inKey: boolean };

function walk(value: unknown, depth: number): Found | undefined {
  if (typeof value === 'string') return isBadText(value) ? { segments: [], reason: 'invalid_text', inKey: false } : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  if (depth >= MAX_JSON_DEPTH) return { segments: [], reason: 'too_deep', inKey: false };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = walk(value[i], depth + 1);
      if (found) {
        found.segments.unshift(i);
        return found;
      }
    }
    return undefined;
  }
  for (const key in value) {
    if (isBadText(key)) return { segments: [key], reason: 'invalid_text', inKey: true };
    const found = walk((value as Record<string, unknown>)[key], depth + 1);
    if (found) {
      found.segments.unshift(key);
      return found;
    }
  }
  return undefined;
}

/**
 * The first string (value or object key) in a parsed JSON value that holds bad text, or the
 * first place nested deeper than MAX_JSON_DEPTH, with its path named the way validation
 * errors name fields ("items.0.name"). The depth bound also keeps this walk (and
 * JSON.stringify later, when the value is stored) from running out of stack.
 */
export function findTextProblem(value: unknown): TextProblem | undefined {
  const found = walk(value, 0);
  return found && { path: found.segments.map((s) => printable(String(s))).join('.'), reason: found.reason, inKey: found.inKey };
}

/** Bad characters replaced, so an error message never echoes them back. */
export function printable(text: string): string {
  return text.replace(BAD_TEXT_ALL, '\uFFFD');
}

export function invalidText(field: string, where: 'body' | 'query' | 'path', inKey = false): ApiError {
  const name = printable(field);
  const what = where === 'body' ? (name ? `The field ${name}` : 'The body') : where === 'query' ? `The query parameter ${name}` : `The path parameter ${name}`;
  const message = `${what}${inKey ? ' (its name)' : ''} contains a NUL character or an unpaired surrogate, which cannot be stored. Send valid Unicode text.`;
  return new ApiError(400, 'invalid_text', message, [{ in: where, path: name, message: 'contains a NUL character or an unpaired surrogate' }]);
}

/** Throws 400 invalid_text (or invalid_json for nesting beyond the bound) for a parsed body. */
export function assertCleanJson(value: unknown): void {
  const problem = findTextProblem(value);
  if (!problem) return;
  if (problem.reason === 'too_deep') {
    throw new ApiError(
      400,
      'invalid_json',
      `The request body is nested more than ${MAX_JSON_DEPTH} levels deep${problem.path ? ` (at ${problem.path})` : ''}.`,
    );
  }
  throw invalidText(problem.path, 'body', problem.inKey);
}
