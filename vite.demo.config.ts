import { defineConfig } from 'vite';
import { minifyTemplateLiterals } from './vite.minify.js';

// The React demo merchant app (demo/react/main.tsx), built the way a merchant's bundler would
// build theirs: React, the portal's React components and the widget in one bundle,
// dist/demo/react.js, with the views as lazily loaded chunks under dist/demo/chunks/. The demo
// server serves them at /demo/build/ for demo/react.html. Run by vite.config.ts after the
// widget's build.
export default defineConfig({
  publicDir: false,
  logLevel: 'warn',
  plugins: [minifyTemplateLiterals()],
  // Library mode leaves process.env.NODE_ENV to the consumer; this bundle runs in the browser as it is.
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  build: {
    outDir: 'dist/demo',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    lib: {
      entry: 'demo/react/main.tsx',
      formats: ['es'],
      fileName: () => 'react.js',
    },
    rolldownOptions: {
      output: {
        minify: true,
        chunkFileNames: 'chunks/[name]-[hash].js',
      },
    },
  },
});
