import { dirname, resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

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
// entry beside it. Run by vite.config.ts after the widget's build (this one must not empty
// dist/).
export default defineConfig({
  publicDir: false,
  logLevel: 'warn',
  plugins: [widgetEntryAsSibling()],
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    target: 'es2022',
    sourcemap: false,
    lib: {
      entry: 'src/react/index.ts',
      formats: ['es'],
      fileName: () => 'react.js',
    },
    rolldownOptions: {
      external: [/^react($|\/)/, /^react-dom($|\/)/, /^@lit\/react($|\/)/],
      output: { minify: true },
    },
  },
});
