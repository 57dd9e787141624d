import { defineConfig } from 'vite';
import { chunkFileNames } from './vite.chunks.js';
import { minifyTemplateLiterals } from './vite.minify.js';

// The hosted payment-method page, its own build: dist/hosted/payment-method.js (a stable
// path the session server serves at /hosted/assets/payment-method.js) and its chunks under
// dist/hosted/chunks/ (Stripe's loader, only fetched under the stripe provider). Nothing of
// it, Stripe least of all, goes into the merchant's bundle. Run by vite.config.ts after the
// widget's build.
export default defineConfig({
  publicDir: false,
  logLevel: 'warn',
  plugins: [minifyTemplateLiterals()],
  build: {
    outDir: 'dist/hosted',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    lib: {
      entry: 'src/hosted/payment-method.ts',
      formats: ['es'],
      fileName: () => 'payment-method.js',
    },
    rolldownOptions: {
      output: {
        minify: true,
        chunkFileNames, // a chunk per language (vite.chunks.ts)
      },
    },
  },
});
