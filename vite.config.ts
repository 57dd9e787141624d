import { build, defineConfig, type InlineConfig, type Plugin } from 'vite';
import { chunkFileNames } from './build/chunks.js';
import { demo, hosted, library, react } from './build/library.js';
import { minifyTemplateLiterals } from './build/minify.js';
import { precompress } from './build/precompress.js';

/** Matches `src/<path>.ts` for each path (posix or Windows separators). */
const sources = (...paths: string[]) => paths.map((path) => new RegExp(`[\\\\/]src[\\\\/]${path.replaceAll('/', '[\\\\/]').replaceAll('.', '\\.')}\\.ts$`));

/**
 * The widget's lazy chunks (docs/architecture.md, "Chunks"): each group is one chunk, holding
 * the modules its tests match and nothing else (dependencies stay where they are, so what the
 * entry has stays in the entry). A module no group names goes where rolldown puts it: a view's
 * own modules into that view's chunk.
 */
const CHUNKS: Array<{ name: string; modules: RegExp[] }> = [
  {
    // What every view uses and the entry does not: the view base, billing formatting and the
    // small API modules (one chunk, not a crumb each: every file costs ≈0.3 KB of what gzip
    // cannot share across files).
    name: 'view',
    modules: [
      /[\\/]node_modules[\\/]@lit[\\/]task[\\/]/,
      ...sources(
        'ui/view-element',
        'ui/badge',
        'ui/toast',
        'ui/dialog',
        'ui/hosted-frame-dialog',
        'ui/field.styles',
        'ui/card.styles',
        'ui/visually-hidden.styles',
      ),
      ...sources('views/billing/view.styles', 'views/billing/empty', 'views/billing/confirm', 'i18n/format', 'events'),
      ...sources('schemas/email', 'api/idempotency', 'api/files', 'api/me', 'api/payment-methods'),
    ],
  },
  {
    // Money and dates, statuses, totals, paging and the billing APIs: what the billing views
    // (every view but settings, account and payment methods) and the flows share.
    name: 'billing',
    modules: sources('i18n/money', 'views/billing/status', 'views/billing/totals', 'views/billing/paging', 'api/subscriptions', 'api/orders', 'api/benefits'),
  },
  {
    // The dialogs of the actions (cancel, change plan, seats, pause, the payment's confirmation,
    // invoice details, email change) and what only they use: loaded when the customer first
    // opens one, never with a view.
    name: 'flows',
    modules: [
      /[\\/]src[\\/]views[\\/]subscriptions[\\/](?!subscriptions)[\w-]+\.ts$/,
      ...sources('views/billing/flow', 'views/billing/confirm-payment-dialog', 'views/orders/invoice-details-flow', 'views/account/email-change-flow'),
    ],
  },
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
// (dist/chunks/, served at /chunks/:file): one per view, the view base, the action dialogs, and
// one per language. Budgets (test/size.test.ts): the entry ≤ 20 KB gzip, lit included; the entry
// and any one view with all it imports ≤ 35 KB; all widget code ≤ 75 KB; each language ≤ 12 KB.
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
        // Groups, not the automatic splitter alone: left to itself it makes a chunk for every
        // set of importers (28 chunks, many under 0.5 KB), and for some sets moves lit and the
        // UI primitives out of the entry into a common chunk, a second request before anything
        // renders (test/size.test.ts fails if the entry imports another chunk).
        codeSplitting: {
          groups: CHUNKS.map(({ name, modules }, index) => ({
            name,
            test: (id: string) => modules.some((pattern) => pattern.test(id)),
            includeDependenciesRecursively: false,
            priority: CHUNKS.length - index,
          })),
        },
      },
    },
  }),
);
