import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Context, Hono } from 'hono';
import type { AppEnv } from '../../http.js';
import { staticFile } from '../../lib/compression.js';
import { escapeHtml } from '../../lib/html.js';
import { FAVICON_LINK, FAVICON_SVG } from '../../lib/page-headers.js';
import type { Services } from '../../services.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
export const distDir = join(root, 'dist');
const demoDir = join(root, 'demo');

/**
 * The widget script (a stable path merchants put in a script tag, plus its lazily loaded
 * chunks), the full-page portal at /{slug}/portal, and the demo merchant pages.
 */
export function hostedRoutes(services: Services, options: { demo: boolean }) {
  const app = new Hono<AppEnv>();

  /** A built or demo file, precompressed when the build made .br/.gz beside it (lib/compression.ts). */
  const serveFile = (c: Context, dir: string, relative: string, cache: string) =>
    staticFile(dir, relative, c.req.header('accept-encoding'), {
      'Cache-Control': cache,
      // Module scripts loaded from another origin need CORS.
      'Access-Control-Allow-Origin': '*',
      'X-Content-Type-Options': 'nosniff',
    });

  const favicon = () =>
    new Response(FAVICON_SVG, { headers: { 'Content-Type': 'image/svg+xml', 'Cache-Control': 'public, max-age=86400', 'X-Content-Type-Options': 'nosniff' } });

  app.get('/customer-portal.js', async (c) => {
    const res = await serveFile(c, distDir, 'customer-portal.js', 'public, max-age=300');
    return res ?? c.text('The widget is not built yet. Run `npm run build`.', 503);
  });
  // Chunk names carry a content hash, so they can be cached for good.
  app.get('/chunks/:file', async (c) => {
    const res = await serveFile(c, join(distDir, 'chunks'), c.req.param('file'), 'public, max-age=31536000, immutable');
    return res ?? c.notFound();
  });

  if (options.demo) {
    app.get('/', (c) => c.redirect('/demo/'));
    app.get('/demo', (c) => c.redirect('/demo/'));
    app.get('/demo/', async (c) => c.html(readFileSync(join(demoDir, 'index.html'), 'utf8')));
    app.get('/demo/:file', async (c) => (await serveFile(c, demoDir, c.req.param('file'), 'no-cache')) ?? c.notFound());
    // The React demo's bundle and its chunks (demo/react.html; built into dist/demo/ by vite.demo.config.ts).
    app.get('/demo/build/*', async (c) => (await serveFile(c, join(distDir, 'demo'), c.req.path.slice('/demo/build/'.length), 'no-cache')) ?? c.notFound());
  }

  app.get('/favicon.svg', () => favicon());
  app.get('/favicon.ico', () => favicon());

  app.get('/:slug/portal', async (c) => {
    const org = await services.organizations.bySlug(c.req.param('slug'));
    const name = escapeHtml(org.name);
    const slug = escapeHtml(org.slug);
    return c.html(
      `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${name} · Customer portal</title>
${FAVICON_LINK}
<style>
  html{color-scheme:light dark}
  body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f6f7f9}
  main{max-width:960px;margin:0 auto;padding:24px 16px 48px}
  @media (prefers-color-scheme: dark){body{background:#09090b}}
  customer-portal{--cp-color-background:transparent}
</style>
<script type="module" src="/customer-portal.js"></script>
</head><body><main><customer-portal org="${slug}" theme="auto"></customer-portal></main></body></html>`,
      200,
      // Its CSP (frame-ancestors 'none') and the other page headers are set before this
      // handler by portalPageHeaders (lib/page-headers.ts), which knows PUBLIC_URL.
    );
  });

  return app;
}
