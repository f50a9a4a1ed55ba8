// Globals that @electron-forge/plugin-vite defines at build time for the `main_window` renderer (forge.config.ts):
// the dev server's URL under `electron-forge start` (undefined in packaged builds) and the renderer's name, which is
// its folder under .vite/renderer/.
declare const MAIN_WINDOW_VITE_DEV_SERVER_URL: string | undefined;
declare const MAIN_WINDOW_VITE_NAME: string;
