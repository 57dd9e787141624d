import type { Rolldown } from 'vite';

/**
 * Chunk names for the widget's and the hosted page's builds: each language's translations
 * (src/i18n/generated/) is a chunk of its own named locale-<code>-<hash>.js, loaded only for
 * a customer who reads that language (test/size.test.ts tells them from code by that name).
 */
export function chunkFileNames(chunk: Rolldown.PreRenderedChunk): string {
  return chunk.moduleIds.some((id) => /[\\/]i18n[\\/]generated[\\/]/.test(id)) ? 'chunks/locale-[name]-[hash].js' : 'chunks/[name]-[hash].js';
}
