import { defineConfig, type Plugin } from 'vite';

/**
 * Collapses the whitespace and comments in our `css` tagged templates, which the JS minifier
 * leaves alone. Only `css` literals without `${}` in src/, so nothing else can change.
 */
function minifyCssLiterals(): Plugin {
  return {
    name: 'customer-portal:minify-css-literals',
    transform(code, id) {
      if (!/\/src\/.*\.ts$/.test(id)) return undefined;
      return code.replace(/\bcss`([^`$]*)`/g, (_, body: string) => {
        const minified = body
          .replace(/\/\*[\s\S]*?\*\//g, '')
          .replace(/\s+/g, ' ')
          .replace(/\s*([{};,>])\s*/g, '$1')
          .replace(/:\s+/g, ':')
          .replace(/;}/g, '}')
          .trim();
        return `css\`${minified}\``;
      });
    },
  };
}

const VIEWS_COMMON = [
  /[\\/]src[\\/]views[\\/]billing[\\/]/,
  /[\\/]src[\\/]ui[\\/](view-element|dialog|badge)\.ts$/,
  /[\\/]src[\\/]i18n[\\/]money\.ts$/,
  /[\\/]src[\\/]api[\\/](idempotency|overview|subscriptions|orders)\.ts$/,
  /[\\/]src[\\/]events\.ts$/,
  /[\\/]node_modules[\\/]@lit[\\/]task[\\/]/,
];

// The widget library: one ES module entry merchants load by script tag
// (dist/customer-portal.js, served at /customer-portal.js) and lazily loaded chunks
// (dist/chunks/, served at /chunks/:file): one per view, and the zod contract.
// Budget: the entry ≤ 20 KB gzip, lit included.
export default defineConfig({
  publicDir: false,
  plugins: [minifyCssLiterals()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    lib: {
      entry: 'src/index.ts',
      formats: ['es'],
      fileName: () => 'customer-portal.js',
    },
    rolldownOptions: {
      // Library mode defaults to 'strict', which moves everything the views share with the
      // entry into a third chunk: one more request before anything renders. Let the entry
      // export what the view chunks import from it instead.
      preserveEntrySignatures: 'allow-extension',
      output: {
        minify: true,
        chunkFileNames: 'chunks/[name]-[hash].js',
        // What several views share but the entry does not (the view base, dialog, billing
        // formatting and API, the events only views dispatch) goes into one chunk. Left to
        // the automatic splitter, some sets of sharing views make it move lit and the UI
        // primitives out of the entry into a common chunk: a second request before anything
        // renders. Dependencies are not pulled in, so what the entry has stays there.
        codeSplitting: {
          groups: [
            {
              name: 'views-common',
              test: (id: string) => VIEWS_COMMON.some((pattern) => pattern.test(id)),
              includeDependenciesRecursively: false,
            },
          ],
        },
      },
    },
  },
});
