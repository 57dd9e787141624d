// Every build is an ES module library from one factory, `library()`: the widget's
// (vite.config.ts) and these three, which vite.config.ts runs once the widget is written so
// `vite build` (and `npm run build`) makes them all:
// - hosted: the hosted payment-method page (dist/hosted/);
// - react: the React components (dist/react.js, importing ./customer-portal.js);
// - demo: the React demo merchant app, React bundled in (dist/demo/).
import { dirname, resolve } from 'node:path';
import type { InlineConfig, Plugin, Rolldown } from 'vite';
import { chunkFileNames } from './chunks.js';
import { minifyTemplateLiterals } from './minify.js';

export interface Library {
  /** The module the bundle starts from. */
  entry: string;
  outDir: string;
  /** The entry's file name in outDir: a stable path that the server or package.json names. */
  fileName: string;
  /** False for a build written beside another one in the same folder. */
  emptyOutDir?: boolean;
  plugins?: Plugin[];
  define?: Record<string, string>;
  /** Rolldown's options beyond the output's minify and chunk names. */
  rolldown?: Omit<Rolldown.InputOptions, 'output'> & { output?: Rolldown.OutputOptions };
  chunkFileNames?: Rolldown.OutputOptions['chunkFileNames'];
  /** Writes outDir/.vite/manifest.json: every chunk with its static and dynamic imports (test/size.test.ts walks it). */
  manifest?: boolean;
}

/** One ES module entry and its chunks, minified, for es2022, without a public dir or source maps. */
export function library({
  entry,
  outDir,
  fileName,
  emptyOutDir = true,
  plugins = [],
  define,
  rolldown = {},
  chunkFileNames,
  manifest = false,
}: Library): InlineConfig {
  const { output, ...input } = rolldown;
  return {
    publicDir: false,
    plugins,
    ...(define ? { define } : {}),
    build: {
      outDir,
      emptyOutDir,
      target: 'es2022',
      sourcemap: false,
      manifest,
      lib: { entry, formats: ['es'], fileName: () => fileName },
      rolldownOptions: { ...input, output: { minify: true, ...(chunkFileNames ? { chunkFileNames } : {}), ...output } },
    },
  };
}

// The hosted payment-method page: dist/hosted/payment-method.js (the session server serves it
// at /hosted/assets/payment-method.js) and its chunks under dist/hosted/chunks/ (Stripe's
// loader, only fetched under the stripe provider). Nothing of it, Stripe least of all, goes
// into the merchant's bundle.
export const hosted = library({
  entry: 'src/hosted/payment-method.ts',
  outDir: 'dist/hosted',
  fileName: 'payment-method.js',
  plugins: [minifyTemplateLiterals()],
  chunkFileNames, // a chunk per language (chunks.ts)
});

const widgetEntry = resolve('src/index.js');

/**
 * The React wrapper imports the widget's entry as `./customer-portal.js`, the file beside it
 * in dist/, instead of bundling a second copy of the widget: one registration of the
 * elements, one session store, and the views' chunks as the widget loads them.
 */
function widgetEntryAsSibling(): Plugin {
  return {
    name: 'customer-portal:widget-entry-as-sibling',
    enforce: 'pre',
    resolveId(source, importer) {
      if (importer && source.startsWith('.') && resolve(dirname(importer), source) === widgetEntry) {
        return { id: './customer-portal.js', external: true };
      }
      return undefined;
    },
  };
}

// The React components (`customer-portal/react`): dist/react.js, for the merchant's bundler.
// React and @lit/react are the merchant's (external, not bundled); the widget is its own
// entry beside it, so this build must not empty dist/.
export const react = library({
  entry: 'src/react/index.ts',
  outDir: 'dist',
  fileName: 'react.js',
  emptyOutDir: false,
  plugins: [widgetEntryAsSibling()],
  rolldown: { external: [/^react($|\/)/, /^react-dom($|\/)/, /^@lit\/react($|\/)/] },
});

// The React demo merchant app (demo/react/main.tsx), built the way a merchant's bundler would
// build theirs: React, the portal's React components and the widget in one bundle,
// dist/demo/react.js, with the views as lazily loaded chunks under dist/demo/chunks/. The demo
// server serves them at /demo/build/ for demo/react.html.
export const demo = library({
  entry: 'demo/react/main.tsx',
  outDir: 'dist/demo',
  fileName: 'react.js',
  plugins: [minifyTemplateLiterals()],
  // Library mode leaves process.env.NODE_ENV to the consumer; this bundle runs in the browser as it is.
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  chunkFileNames: 'chunks/[name]-[hash].js',
});
