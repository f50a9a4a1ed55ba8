import { VitePlugin } from '@electron-forge/plugin-vite';
import type { InlineConfig } from 'vite';
import forgeConfig from '../../forge.config';

// The Vite configs that `electron-forge package` builds the app with (main, planner worker, preload; the window's
// renderer), from forge.config.ts's own Vite plugin: what the packaging and Electron tests build.

interface ForgeVitePlugin {
  isProd: boolean;
  setDirectories(dir: string): void;
  configGenerator: { getBuildConfigs(): Promise<InlineConfig[]>; getRendererConfig(): Promise<InlineConfig[]> };
}

function vitePlugin(root: string): ForgeVitePlugin {
  const plugin = forgeConfig.plugins?.find((p) => p instanceof VitePlugin) as unknown as ForgeVitePlugin;
  plugin.setDirectories(root);
  plugin.isProd = true;
  return plugin;
}

/** Main process, planner worker and preload, as production builds (no dev server): outDir .vite/build. */
export function forgeBuildConfigs(root: string): Promise<InlineConfig[]> {
  return vitePlugin(root).configGenerator.getBuildConfigs();
}

/** The window's renderer: outDir .vite/renderer/main_window, loaded by main.cjs over file://. */
export function forgeRendererConfigs(root: string): Promise<InlineConfig[]> {
  return vitePlugin(root).configGenerator.getRendererConfig();
}
