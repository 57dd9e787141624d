// Compression on the wire: the built assets are served from the .br / .gz files the build
// writes beside them (build/precompress.ts), chosen by the request's Accept-Encoding, and JSON
// answers above 1 KB are compressed as they leave. See docs/decisions.md.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Context, MiddlewareHandler } from 'hono';

export type Encoding = 'br' | 'gzip';

/**
 * Accept-Encoding values seen lately and what they chose: browsers send one of a handful, asked
 * twice per portal view (its kept answer and compressAnswer); parsing it was ≈3 % of /me's CPU.
 */
const chosen = new Map<string, Encoding | undefined>();
const CHOICES_KEPT = 64;

/** br, then gzip, then none: the first the request accepts (a `q=0` refuses it; `*` accepts both). */
export function chooseEncoding(acceptEncoding: string | undefined): Encoding | undefined {
  if (!acceptEncoding) return undefined;
  if (chosen.has(acceptEncoding)) return chosen.get(acceptEncoding);
  const choice = parseAcceptEncoding(acceptEncoding);
  if (acceptEncoding.length <= 256) {
    if (chosen.size >= CHOICES_KEPT) chosen.delete(chosen.keys().next().value!);
    chosen.set(acceptEncoding, choice);
  }
  return choice;
}

function parseAcceptEncoding(acceptEncoding: string): Encoding | undefined {
  const q = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const weight = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    if (name) q.set(name, weight === undefined ? 1 : Number(weight));
  }
  const accepts = (name: Encoding) => (q.get(name) ?? q.get('*') ?? 0) > 0;
  return accepts('br') ? 'br' : accepts('gzip') ? 'gzip' : undefined;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};
/** What the build precompresses (build/precompress.ts): text. */
export const PRECOMPRESSED = new Set(['.js', '.css', '.html', '.svg', '.json', '.map']);
const SUFFIX: Record<Encoding, string> = { br: '.br', gzip: '.gz' };

/**
 * A file under `dir` (undefined when it is not there or `relative` leaves `dir`), in the
 * encoding the request prefers among the precompressed files beside it, else as it is.
 * Content-Length is the length of what is sent; `Vary: Accept-Encoding` on every file that
 * has compressed forms, so a cache keeps one answer per encoding.
 */
export async function staticFile(
  dir: string,
  relative: string,
  acceptEncoding: string | undefined,
  headers: Record<string, string>,
): Promise<Response | undefined> {
  const path = normalize(join(dir, relative));
  if (!path.startsWith(`${dir}/`) || !existsSync(path)) return undefined;
  const type = extname(path);
  const out: Record<string, string> = { 'Content-Type': TYPES[type] ?? 'application/octet-stream', ...headers };
  let file = path;
  if (PRECOMPRESSED.has(type)) {
    const encoding = chooseEncoding(acceptEncoding);
    const variant = encoding && path + SUFFIX[encoding];
    if (variant && existsSync(variant)) {
      file = variant;
      out['Content-Encoding'] = encoding;
    }
    if (existsSync(path + SUFFIX.br) || existsSync(path + SUFFIX.gzip)) out.Vary = 'Accept-Encoding';
  }
  const body = await readFile(file);
  out['Content-Length'] = String(body.length);
  return new Response(body, { headers: out });
}

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** Answers smaller than this go as they are: compressing them saves less than it costs. */
export const JSON_THRESHOLD = 1024;

/** @hono/node-server's lightweight Response keeps what it was given under this symbol (see heldBodyLength). */
const HELD = 'cache';

/**
 * The length in bytes of an answer's body while @hono/node-server's lightweight Response still
 * holds it as it was made (a string, bytes or nothing: `[status, body, headers]` under its
 * "cache" symbol), read without turning it into a WHATWG Response. Reading `res.body` does that
 * (a ReadableStream, the headers copied) and costs the adapter its fast path: every JSON answer
 * to a browser (which always sends Accept-Encoding) paid ≈175 µs of CPU for it, /me 2.6 × its
 * cost without (issue 15). Undefined for any other Response (a streamed body, the WHATWG
 * Response of `app.request` in tests, an adapter that keeps it otherwise): then read as before.
 */
export function heldBodyLength(res: Response): number | undefined {
  for (const symbol of Object.getOwnPropertySymbols(res)) {
    if (symbol.description !== HELD) continue;
    const held: unknown = (res as unknown as Record<symbol, unknown>)[symbol];
    if (!Array.isArray(held) || held.length !== 3) return undefined;
    const body: unknown = held[1];
    if (body === null) return 0;
    if (typeof body === 'string') return Buffer.byteLength(body);
    if (body instanceof Uint8Array) return body.byteLength;
    return undefined;
  }
  return undefined;
}

/**
 * Compresses the answer `c` holds when it is JSON larger than 1 KB for a client that accepts br or gzip (brotli at
 * quality 4 and gzip at level 6: fast enough per request, most of the gain). Everything else
 * passes untouched — PDFs (already compressed), event streams, HEAD, partial answers, answers
 * already encoded, and every request without Accept-Encoding, whose answer is never even read
 * (so the load generators that send none keep the server adapter's fast path). A strong ETag
 * becomes weak, as the bytes differ from the identity answer's.
 */
export async function compressAnswer(c: Context): Promise<void> {
  const encoding = chooseEncoding(c.req.header('accept-encoding'));
  if (!encoding || c.req.method === 'HEAD') return;
  const res = c.res;
  // The headers and the status first, the body last: see heldBodyLength.
  if (res.status === 206 || res.status === 204 || res.headers.has('Content-Encoding')) return;
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(res.headers.get('Content-Type') ?? '')) return;
  if (/(?:^|,)\s*no-transform\s*(?:,|$)/i.test(res.headers.get('Cache-Control') ?? '')) return;
  const length = Number(res.headers.get('Content-Length') ?? heldBodyLength(res) ?? Number.NaN);
  if (length < JSON_THRESHOLD || !res.body) return;
  const raw = Buffer.from(await res.arrayBuffer());
  const status = res.status;
  const vary = res.headers.get('Vary');
  const etag = res.headers.get('ETag');
  // Hono copies the previous answer's headers onto the one assigned: headers are set after.
  if (raw.length < JSON_THRESHOLD) {
    c.res = new Response(raw, { status, headers: res.headers });
    return;
  }
  const body = await encodeJson(raw, encoding);
  c.res = new Response(body, { status, headers: res.headers });
  const headers = c.res.headers;
  if (!vary || !/(?:^|,)\s*accept-encoding\s*(?:,|$)/i.test(vary)) headers.set('Vary', vary ? `${vary}, Accept-Encoding` : 'Accept-Encoding');
  headers.set('Content-Encoding', encoding);
  headers.set('Content-Length', String(body.length));
  if (etag && !etag.startsWith('W/')) headers.set('ETag', `W/${etag}`);
}

/** A JSON answer compressed as `compressAnswer` sends it (brotli 4, gzip 6). */
export function encodeJson(raw: Buffer, encoding: Encoding): Promise<Buffer<ArrayBuffer>> {
  return (
    encoding === 'br'
      ? brotli(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 4, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } })
      : gzipAsync(raw, { level: 6 })
  ) as Promise<Buffer<ArrayBuffer>>;
}

/** `compressAnswer` as a middleware of its own (the app calls it from its first layer instead). */
export function compressJson(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    await compressAnswer(c);
  };
}
