import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vite';
import rendererConfig from './vite.config.ts';

// The Electron window's renderer: the root vite.config.ts, built where @electron-forge/plugin-vite expects it
// (.vite/renderer/<name>/, name from forge.config.ts) so main.ts finds it next to .vite/build/main.cjs.
// The plugin adds base './' (the window loads it over file://) and the dev server URL plumbing.
export default defineConfig(
  mergeConfig(rendererConfig, {
    build: { outDir: fileURLToPath(new URL('./.vite/renderer/main_window', import.meta.url)) },
  }),
);
