/**
 * Builds the UI into dist/renderer with relative asset paths, so the same files load from
 * app:// in the desktop app and from / in browser mode (`serve`).
 *
 *   vite build --config renderer/vite.config.mts
 */
import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

/**
 * The Content Security Policy: scripts only from the app itself; inline styles allowed
 * because Fluent UI (Griffel) and uPlot set them at run time. Added to the built page only:
 * Vite's dev server injects an inline script that it would block.
 */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'";

function contentSecurityPolicy(): Plugin {
  return {
    name: 'qbwc-companion-csp',
    apply: 'build',
    transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CSP }, injectTo: 'head-prepend' }],
  };
}

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [react(), contentSecurityPolicy()],
  build: {
    outDir: path.join(import.meta.dirname, '..', 'dist', 'renderer'),
    emptyOutDir: true,
    // Chromium in Electron 41 and any browser a bookkeeper has: no need for old syntax.
    target: 'es2022',
    chunkSizeWarningLimit: 1500,
  },
});
