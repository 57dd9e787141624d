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
import { newId } from '../../lib/ids.js';
import type { BenefitFileRow } from '../../db/schema.js';
import type { BenefitContext } from './context.js';

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
        throw new ApiError(
          403,
          'download_link_expired',
          'This download link has expired (links work for 10 minutes). Open your customer portal to get a fresh link.',
        );
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

/**
 * The files of download benefits: the merchant uploads and removes them, a customer downloads
 * one through a signed link while their grant stands.
 */
export function benefitFiles(ctx: BenefitContext) {
  const { clock, repo } = ctx;
  const maxBytes = ctx.maxFileBytes ?? MAX_FILE_BYTES;
  const store = fileStore(ctx.config.dataDir, maxBytes);
  const links = downloadLinks(ctx.config.secret, ctx.config.publicUrl);

  return {
    /** A signed link to a file for the holder of `grantId`, valid for DOWNLOAD_LINK_TTL_MS. */
    downloadUrl: (fileId: string, grantId: string, now: Date) => links.url(fileId, grantId, now),

    /** Deletes the stored bytes of files whose rows are gone (a deleted benefit's). */
    async removeStored(rows: Pick<BenefitFileRow, 'organization_id' | 'id'>[]) {
      for (const f of rows) await store.remove(f.organization_id, f.id);
    },

    async upload(
      organizationId: string,
      benefitId: string,
      input: { filename: string; contentType: string | undefined; length: number | undefined; body: ReadableStream<Uint8Array> | null },
    ) {
      const benefit = await ctx.getBenefit(organizationId, benefitId);
      if (benefit.type !== 'download') throw new ApiError(400, 'benefit_not_download', 'Files can only be added to a download benefit.');
      if (input.length !== undefined && input.length > maxBytes) throw tooLarge(maxBytes);
      const now = clock.now();
      const id = newId('file', now.getTime());
      const written = await store.write(organizationId, id, input.body);
      const contentType =
        input.contentType && /^[\w.+-]+\/[\w.+-]+$/.test(input.contentType.split(';')[0]!.trim())
          ? input.contentType.split(';')[0]!.trim()
          : 'application/octet-stream';
      return repo.insertFile({
        id,
        organization_id: organizationId,
        benefit_id: benefitId,
        name: input.filename,
        size: written.size,
        content_type: contentType,
        sha256: written.sha256,
        now,
      });
    },

    async removeFile(organizationId: string, benefitId: string, fileId: string) {
      await ctx.getBenefit(organizationId, benefitId);
      const removed = await repo.deleteFiles(organizationId, benefitId, clock.now(), fileId);
      if (!removed.length) throw new ApiError(404, 'file_not_found', `No file ${fileId} on benefit ${benefitId}.`);
      await store.remove(organizationId, fileId);
    },

    /** A signed link's file, if the link is genuine, fresh, and its grant still stands. */
    async download(fileId: string, query: { grant?: string | undefined; expires?: string | undefined; sig?: string | undefined }) {
      const grantId = links.verify(fileId, query, clock.now());
      const [file, grant] = await Promise.all([repo.findFile(fileId), repo.findGrant(grantId)]);
      if (!file || !grant || file.benefit_id !== grant.benefit_id || file.organization_id !== grant.organization_id) {
        throw new ApiError(404, 'file_not_found', 'This file is no longer available.');
      }
      if (grant.revoked_at || grant.benefit_deleted_at) {
        throw new ApiError(403, 'access_revoked', 'You no longer have access to this download.');
      }
      if (!(await store.exists(file.organization_id, file.id))) throw new ApiError(404, 'file_not_found', 'This file is no longer available.');
      return { file, stream: store.read(file.organization_id, file.id) };
    },
  };
}
export type BenefitFiles = ReturnType<typeof benefitFiles>;
