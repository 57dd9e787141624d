import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { MINUTE } from '../../lib/clock.js';
import { hmac, safeEqualHex } from '../../lib/crypto.js';
import { ApiError } from '../../lib/errors.js';

/** Largest file a download benefit takes. */
export const MAX_FILE_BYTES = 100 * 1024 * 1024;
/** How long a signed download link works. */
export const DOWNLOAD_LINK_TTL_MS = 10 * MINUTE;

class TooLarge extends Error {}

/**
 * Files of download benefits on disk, at `<dataDir>/files/<organization>/<file id>`. Uploads
 * stream to a temporary name (never held in memory) and are renamed once complete.
 */
export function fileStore(dataDir: string, maxBytes = MAX_FILE_BYTES) {
  const pathOf = (organizationId: string, fileId: string) => join(dataDir, 'files', organizationId, fileId);
  return {
    pathOf,
    async write(organizationId: string, fileId: string, body: WebReadableStream<Uint8Array> | ReadableStream<Uint8Array> | null) {
      if (!body) throw new ApiError(400, 'file_empty', 'Send the file as the request body.');
      const path = pathOf(organizationId, fileId);
      await mkdir(join(dataDir, 'files', organizationId), { recursive: true });
      const partial = `${path}.part`;
      const hash = createHash('sha256');
      let size = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          size += chunk.length;
          if (size > maxBytes) return done(new TooLarge());
          hash.update(chunk);
          done(null, chunk);
        },
      });
      try {
        await pipeline(Readable.fromWeb(body as WebReadableStream<Uint8Array>), counter, createWriteStream(partial));
      } catch (error) {
        await rm(partial, { force: true });
        if (error instanceof TooLarge) throw tooLarge(maxBytes);
        throw error;
      }
      if (size === 0) {
        await rm(partial, { force: true });
        throw new ApiError(400, 'file_empty', 'The file is empty. Send its bytes as the request body.');
      }
      await rename(partial, path);
      return { size, sha256: hash.digest('hex') };
    },
    async exists(organizationId: string, fileId: string) {
      return stat(pathOf(organizationId, fileId)).then(
        (s) => s.isFile(),
        () => false,
      );
    },
    read(organizationId: string, fileId: string) {
      return createReadStream(pathOf(organizationId, fileId));
    },
    async remove(organizationId: string, fileId: string) {
      await rm(pathOf(organizationId, fileId), { force: true });
    },
  };
}
export type FileStore = ReturnType<typeof fileStore>;

export function tooLarge(maxBytes: number) {
  return new ApiError(413, 'file_too_large', `The file is larger than the limit of ${Math.round(maxBytes / (1024 * 1024))} MB.`);
}

/**
 * Signed download links: `/files/{file}?grant=…&expires=…&sig=…`, where sig is an HMAC of the
 * file, the grant and the expiry under the server secret. The grant is checked again when
 * the link is used, so a revoked grant's links stop working before they expire.
 */
export function downloadLinks(secret: string, publicUrl: string) {
  const sign = (fileId: string, grantId: string, expires: number) => hmac(secret, `download:${fileId}:${grantId}:${expires}`);
  return {
    url(fileId: string, grantId: string, now: Date) {
      const expires = Math.floor((now.getTime() + DOWNLOAD_LINK_TTL_MS) / 1000);
      const query = new URLSearchParams({ grant: grantId, expires: String(expires), sig: sign(fileId, grantId, expires) });
      return { url: `${publicUrl}/files/${encodeURIComponent(fileId)}?${query}`, expires_at: new Date(expires * 1000).toISOString() };
    },
    /** Throws 403 with a message the customer can act on; returns the grant id otherwise. */
    verify(fileId: string, query: { grant?: string | undefined; expires?: string | undefined; sig?: string | undefined }, now: Date): string {
      const expires = Number(query.expires);
      if (!query.grant || !query.sig || !/^\d{1,12}$/.test(query.expires ?? '') || !safeEqualHex(query.sig, sign(fileId, query.grant, expires))) {
        throw new ApiError(403, 'download_link_invalid', 'This download link is not valid. Open your customer portal to get a new link.');
      }
      if (expires * 1000 <= now.getTime()) {
        throw new ApiError(403, 'download_link_expired', 'This download link has expired (links work for 10 minutes). Open your customer portal to get a fresh link.');
      }
      return query.grant;
    },
  };
}

/** `attachment` with an ASCII fallback name and the real name in RFC 5987 form. */
export function contentDisposition(name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}
