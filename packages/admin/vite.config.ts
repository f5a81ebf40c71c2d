import { fileURLToPath } from 'node:url';
import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The app is served by the Backroom server at /admin (src/platform/http/admin-app.ts). In dev, Vite serves it and
// passes API calls to a running server (`npm run dev` at the root, port 3000).
export default defineConfig({
  base: '/admin/',
  plugins: [react(), tailwindcss()],
  resolve: {
    // Build against the client's TypeScript sources, so the admin builds without the client's dist.
    alias: { '@backroom/client': fileURLToPath(new URL('../client/src/index.ts', import.meta.url)) },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    manifest: true,
    target: 'es2022',
    // The server's CSP allows no inline script: never inline the module preload polyfill.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
  server: {
    proxy: { '/v1': { target: process.env.BACKROOM_API ?? 'http://localhost:3000', changeOrigin: false } },
  },
});
