import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

// The renderer's Vite config: `vite` / `vite build` serve and build the UI as a plain web page (browser harness);
// vite.renderer.config.ts reuses it for the Electron window.

const STRICT_SCRIPT_STYLE = "script-src 'self'; style-src 'self'";

// The dev server needs what renderer/index.html's CSP forbids: React Fast Refresh's inline preamble, Vite's
// injected <style> tags and its HMR websocket on localhost. Relax the CSP for `serve` only; builds keep it strict.
function devCsp(): Plugin {
  return {
    name: 'braid:dev-csp',
    apply: 'serve',
    transformIndexHtml(html) {
      if (!html.includes(STRICT_SCRIPT_STYLE)) {
        throw new Error('braid:dev-csp: renderer/index.html CSP changed; update vite.config.ts');
      }
      return html
        .replace(STRICT_SCRIPT_STYLE, "script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'")
        .replace('ws://127.0.0.1:*', 'ws://127.0.0.1:* ws://localhost:*');
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('./renderer', import.meta.url)),
  plugins: [react(), devCsp()],
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
  },
});
