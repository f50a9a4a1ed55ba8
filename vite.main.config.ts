import { defineConfig } from 'vite';

// Main process bundle. @electron-forge/plugin-vite merges this over its defaults: entry electron/main.ts from
// forge.config.ts, CommonJS output .vite/build/main.cjs, electron and Node built-ins external.
export default defineConfig({});
