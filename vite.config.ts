import { build, defineConfig, type InlineConfig, type Plugin } from 'vite';
import { chunkFileNames } from './build/chunks.js';
import { demo, hosted, library, react } from './build/library.js';
import { minifyTemplateLiterals } from './build/minify.js';
import { precompress } from './build/precompress.js';

/** What goes into the views chunk: every view and what only views use. */
const VIEWS = [
  /[\\/]src[\\/]views[\\/](?!registry)/,
  /[\\/]src[\\/]ui[\\/](view-element|dialog|badge|toast)\.ts$/,
  /[\\/]src[\\/]i18n[\\/]money\.ts$/,
  /[\\/]src[\\/]api[\\/](idempotency|overview|subscriptions|orders|files|me|benefits|usage|payment-methods)\.ts$/,
  /[\\/]src[\\/]events\.ts$/,
  /[\\/]node_modules[\\/]@lit[\\/]task[\\/]/,
  // The zod contract (src/api/contract.ts) rides in the same chunk: the views cannot render
  // without it, sign-in needs it only for its answers (by which time the views are wanted
  // anyway), and one chunk compresses 0.4 KB smaller than two. See docs/decisions.md.
  /[\\/]node_modules[\\/]zod[\\/]/,
  /[\\/]src[\\/]schemas[\\/]/,
  /[\\/]src[\\/]api[\\/]contract\.ts$/,
];

/**
 * The other builds (build/library.ts: the hosted page, the React components, the React demo),
 * run one after the other once this one is written, so `vite build` (and `npm run build`)
 * makes them all and this build's emptyOutDir does not remove them. Then every text asset in
 * dist/ gets its .br and .gz beside it (build/precompress.ts), which the server sends.
 */
function buildAfter(...configs: InlineConfig[]): Plugin {
  return {
    name: 'customer-portal:more-builds',
    apply: 'build',
    async closeBundle() {
      for (const config of configs) await build({ ...config, configFile: false, logLevel: 'warn' });
      await precompress('dist');
    },
  };
}

// The widget library: one ES module entry merchants load by script tag
// (dist/customer-portal.js, served at /customer-portal.js) and lazily loaded chunks
// (dist/chunks/, served at /chunks/:file): the views, and the zod contract.
// Budgets: the entry ≤ 20 KB gzip, lit included; everything ≤ 60 KB gzip.
export default defineConfig(
  library({
    entry: 'src/index.ts',
    outDir: 'dist',
    fileName: 'customer-portal.js',
    plugins: [minifyTemplateLiterals(), buildAfter(hosted, react, demo)],
    chunkFileNames, // a chunk per language (build/chunks.ts)
    manifest: true, // dist/.vite/manifest.json: the chunk graph the size test walks
    rolldown: {
      // Library mode defaults to 'strict', which moves everything the views share with the
      // entry into a third chunk: one more request before anything renders. Let the entry
      // export what the view chunks import from it instead.
      preserveEntrySignatures: 'allow-extension',
      output: {
        // Every view, and what views share but the entry does not (the view base, dialog,
        // billing formatting and API, the events only views dispatch), goes into one lazily
        // loaded chunk. One chunk per view costs about 1 KB gzip each in what gzip cannot
        // share across files (the same markup, class names and imports again): with nine
        // views that alone broke the 60 KB budget (68 KB split, 58 KB together). Left to the
        // automatic splitter, some sets of sharing views also make it move lit and the UI
        // primitives out of the entry into a common chunk: a second request before anything
        // renders. Dependencies are not pulled in, so what the entry has stays there.
        codeSplitting: {
          groups: [
            {
              name: 'views',
              test: (id: string) => VIEWS.some((pattern) => pattern.test(id)),
              includeDependenciesRecursively: false,
            },
          ],
        },
      },
    },
  }),
);
