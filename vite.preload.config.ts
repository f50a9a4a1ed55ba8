import { defineConfig } from 'vite';

// Preload bundle. @electron-forge/plugin-vite merges this over its defaults: entry electron/preload.ts from
// forge.config.ts, a single CommonJS file .vite/build/preload.cjs (sandboxed preloads cannot load chunks).
export default defineConfig({});
