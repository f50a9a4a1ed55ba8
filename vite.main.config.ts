import { defineConfig } from 'vite';

// Main process bundle. @electron-forge/plugin-vite merges this over its defaults: entry electron/main.ts from
// forge.config.ts, CommonJS output .vite/build/main.cjs, electron and Node built-ins external. Added here:
// - platform 'node': Rolldown (Vite 8) then polyfills import.meta.url in CommonJS output; otherwise it becomes {}
//   and every createRequire(import.meta.url) in the core fails when the app starts;
// - better-sqlite3 external: it finds its native .node file relative to its own files, which a bundle would break.
//   forge.config.ts copies it (and the packages the core loads through createRequire) into the package.
export default defineConfig({
  build: { rollupOptions: { platform: 'node', external: ['better-sqlite3'] } },
});
