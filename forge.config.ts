import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FuseV1Options, FuseVersion } from '@electron/fuses';
import { MakerDeb } from '@electron-forge/maker-deb';
import { MakerZIP } from '@electron-forge/maker-zip';
import { FusesPlugin } from '@electron-forge/plugin-fuses';
import { VitePlugin } from '@electron-forge/plugin-vite';
import type { ForgeConfig } from '@electron-forge/shared-types';
import { layOutProtos } from './electron/core/node/protos';
import { copyRuntimeModules } from './electron/packaging';

const ROOT = path.dirname(fileURLToPath(import.meta.url));
/**
 * LND's current protos in lnd-grpc's layout, shipped as resources/lnd-protos (main.ts passes it to LndNode as
 * `protoDir`). Not under .vite/: the Vite plugin empties .vite/ in its prePackage hook, after ours.
 */
const LND_PROTOS = path.join(ROOT, 'node_modules', '.cache', 'braid', 'lnd-protos');

const config: ForgeConfig = {
  packagerConfig: {
    name: 'Braid',
    executableName: 'braid',
    asar: {
      // Native modules (better-sqlite3's .node) cannot be loaded from inside an asar archive.
      unpack: '**/*.node',
    },
    extraResource: [LND_PROTOS],
    // macOS: the app opens `lightning:` links (Info.plist CFBundleURLTypes); Linux: the deb's MimeType below.
    protocols: [{ name: 'Lightning payment request', schemes: ['lightning'] }],
  },
  // better-sqlite3 13 is a Node-API addon with prebuilt binaries (prebuilds/<platform>-<arch>.node): ABI-stable, it
  // loads in Electron as built, so nothing is recompiled (@electron/rebuild would otherwise build it from source).
  rebuildConfig: { onlyModules: [] },
  hooks: {
    generateAssets: async () => {
      layOutProtos(LND_PROTOS);
    },
    // After pruning (which walks package.json dependencies): what the main bundle require()s at run time.
    packageAfterPrune: async (_config, buildPath) => {
      copyRuntimeModules(ROOT, buildPath);
    },
  },
  makers: [
    new MakerZIP({}, ['darwin', 'linux', 'win32']),
    new MakerDeb({
      options: {
        name: 'braid',
        productName: 'Braid',
        bin: 'braid',
        categories: ['Office', 'Network'],
        // The .desktop file registers Braid as a handler of lightning: links.
        mimeType: ['x-scheme-handler/lightning'],
      },
    }),
  ],
  plugins: [
    new VitePlugin({
      // Main process and preload are bundled to .vite/build/*.cjs; the renderer to .vite/renderer/main_window/.
      build: [
        { entry: 'electron/main.ts', config: 'vite.main.config.ts', target: 'main' },
        // The payment planner's worker thread: planner-worker.cjs next to main.cjs (electron/core/planner/service.ts).
        { entry: 'electron/core/planner/planner-worker.ts', config: 'vite.main.config.ts', target: 'main' },
        // The exports' worker threads: export-worker.cjs next to main.cjs (electron/core/ledger/export.ts).
        { entry: 'electron/core/ledger/export-worker.ts', config: 'vite.main.config.ts', target: 'main' },
        { entry: 'electron/preload.ts', config: 'vite.preload.config.ts', target: 'preload' },
      ],
      renderer: [{ name: 'main_window', config: 'vite.renderer.config.ts' }],
    }),
    // Flipped into the packaged Electron binary: it cannot be used as a plain Node runtime, be debugged or
    // injected into through NODE_OPTIONS/--inspect, and loads only the integrity-checked app.asar.
    new FusesPlugin({
      version: FuseVersion.V1,
      [FuseV1Options.RunAsNode]: false,
      [FuseV1Options.EnableCookieEncryption]: true,
      [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
      [FuseV1Options.EnableNodeCliInspectArguments]: false,
      [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
      [FuseV1Options.OnlyLoadAppFromAsar]: true,
    }),
  ],
};

export default config;
