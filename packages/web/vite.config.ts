import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/**
 * One static site per front-end, each an entry of its own under src/<name>/index.html, built into dist/<name>/ with
 * shared chunks in dist/assets/. Everything the pages need is bundled (uPlot included): nothing is fetched from
 * elsewhere at run time. Asset URLs are relative, so a runner may serve dist/ under any path.
 */
const root = resolve(import.meta.dirname, 'src');

export default defineConfig({
  root,
  base: './',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: resolve(import.meta.dirname, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    // Browsers of es2022 know <link rel="modulepreload">; no polyfill chunk.
    modulePreload: { polyfill: false },
    rollupOptions: {
      output: {
        // What the pages share (Preact, src/shared) in one chunk named for what it is.
        manualChunks: (id) =>
          id.includes('/node_modules/preact/') || id.includes('/src/shared/') ? 'shared' : undefined,
      },
      input: {
        dashboard: resolve(root, 'dashboard/index.html'),
        operator: resolve(root, 'operator/index.html'),
      },
    },
  },
});
