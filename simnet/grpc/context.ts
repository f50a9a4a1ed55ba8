import type { SimLnd } from '../model/lnd';
import type { Sim } from '../model/sim';

/** LND's reported version: the protos simnet serves are LND 0.21's. */
export const LND_VERSION = { major: 0, minor: 21, patch: 0, pre: 'beta' };
export const LND_VERSION_STRING = `${LND_VERSION.major}.${LND_VERSION.minor}.${LND_VERSION.patch}-${LND_VERSION.pre}`;

/** What a node's RPC handlers act on. */
export interface NodeContext {
  sim: Sim;
  lnd: SimLnd;
  /** host:port of this node's gRPC listener, shown in GetInfo's uris. */
  listen: () => string;
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
