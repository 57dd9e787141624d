// Precompressed copies of the built assets: file.js → file.js.br (brotli, quality 11) and
// file.js.gz (gzip, level 9) beside it, so the server sends what the browser accepts
// (server/lib/compression.ts) without compressing per request. Written at the end of
// `vite build`, once every build is in dist/; they ship in the package (docs/decisions.md).
import { readdirSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** The text assets the server serves (the same list as server/lib/compression.ts). */
const TEXT = new Set(['.js', '.css', '.html', '.svg', '.json', '.map']);
/** Not served to browsers: the Node merchant kit, the type declarations, the build manifest. */
const SKIP = new Set(['sdk', 'types', '.vite']);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return SKIP.has(name) ? [] : files(path);
    return TEXT.has(extname(name)) ? [path] : [];
  });
}

/** Writes .br and .gz beside every text asset under `dir` (on libuv's thread pool, in parallel); returns how many files. */
export async function precompress(dir: string): Promise<number> {
  const assets = files(dir);
  await Promise.all(
    assets.map(async (path) => {
      const body = await readFile(path);
      const [br, gz] = await Promise.all([
        brotliAsync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }),
        gzipAsync(body, { level: 9 }),
      ]);
      await Promise.all([writeFile(`${path}.br`, br), writeFile(`${path}.gz`, gz)]);
    }),
  );
  return assets.length;
}
