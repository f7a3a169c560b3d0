/**
 * Vite builds the browser app (src/web) into dist/web, which `sarthe serve`
 * serves at `/`. Preact's JSX runs through esbuild's automatic runtime, so no
 * extra plugin is needed. `npm run dev:web` proxies /api to a running server.
 *
 * `vite build --ssr` (the second half of `npm run build:web`) builds the
 * app's first view for the server instead (src/web/ssr.tsx →
 * dist/web-ssr/ssr.js, its packages left to node_modules).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig(({ isSsrBuild }) => ({
  root: here('./src/web'),
  // Relative asset URLs: the app works wherever the server mounts it.
  base: './',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: isSsrBuild
    ? {
        outDir: here('./dist/web-ssr'),
        emptyOutDir: true,
        target: 'node20',
        sourcemap: true,
        reportCompressedSize: false,
        rollupOptions: { input: here('./src/web/ssr.tsx'), output: { entryFileNames: 'ssr.js' } },
      }
    : {
        outDir: here('./dist/web'),
        emptyOutDir: true,
        target: 'es2022',
        sourcemap: true,
        // One small entry chunk for the timing screen; charts (uPlot) load on demand.
        modulePreload: { polyfill: false },
        reportCompressedSize: false,
        rollupOptions: {
          // The timing app, and the news site's live strip (a fixed name: the server's pages link it).
          input: { main: here('./src/web/index.html'), 'site-live': here('./src/web/site-live.ts') },
          output: { entryFileNames: (chunk) => (chunk.name === 'site-live' ? 'site-live.js' : 'assets/[name]-[hash].js') },
        },
      },
  server: {
    proxy: { '/api': process.env.SARTHE_API ?? 'http://127.0.0.1:8024' },
  },
}));
