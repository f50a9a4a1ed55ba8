import type { SimLnd } from '../model/lnd';
import type { Sim } from '../model/sim';

/** LND's reported version: the protos simnet serves are LND 0.21's. */
export const LND_VERSION = { major: 0, minor: 21, patch: 0, pre: 'beta' };
export const LND_VERSION_STRING = `${LND_VERSION.major}.${LND_VERSION.minor}.${LND_VERSION.patch}-${LND_VERSION.pre}`;
/** The commit LND v0.21.0-beta was built from, as its GetVersion and GetInfo report it (40 hex digits). */
export const LND_COMMIT_HASH = '0c4a70340d21d5cd87bb77b940acb02c90f4e8e7';
/**
 * The build tags of the sub-servers simnet serves. routerrpc and verrpc have no tag (LND always builds them);
 * invoicesrpc is the only tagged sub-server simnet serves.
 */
export const LND_BUILD_TAGS = ['invoicesrpc'];

/** What a node's RPC handlers act on. */
export interface NodeContext {
  sim: Sim;
  lnd: SimLnd;
}

/** A server-streaming call, reduced to what handlers need. */
export interface Stream {
  write(message: object): void;
  end(): void;
  /** Called once when the client goes away or the server shuts down. */
  onClose(listener: () => void): void;
  readonly closed: boolean;
}

export type UnaryHandler = (request: never) => object | Promise<object>;
export type StreamHandler = (request: never, stream: Stream) => void | Promise<void>;
export type Handlers = Record<string, UnaryHandler | { stream: StreamHandler }>;
