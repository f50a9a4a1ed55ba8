import {
  type Handlers,
  LND_BUILD_TAGS,
  LND_COMMIT_HASH,
  LND_VERSION,
  LND_VERSION_STRING,
  type Stream,
} from './context';

/** simnet's wallets are unlocked from the start, so LND's state machine is already at its last step. */
export function stateHandlers(): Handlers {
  return {
    GetState: () => ({ state: 'SERVER_ACTIVE' }),
    SubscribeState: {
      stream: (_req: unknown, stream: Stream) => {
        stream.write({ state: 'SERVER_ACTIVE' });
      },
    },
  };
}

export function versionerHandlers(): Handlers {
  return {
    GetVersion: () => ({
      commit: `v${LND_VERSION_STRING}`,
      commit_hash: LND_COMMIT_HASH,
      version: LND_VERSION_STRING,
      app_major: LND_VERSION.major,
      app_minor: LND_VERSION.minor,
      app_patch: LND_VERSION.patch,
      app_pre_release: LND_VERSION.pre,
      build_tags: LND_BUILD_TAGS,
      go_version: 'go1.23.6',
    }),
  };
}
