import { lstatSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';

/** How long a socket left at the path has to answer before it is taken for a stale one. */
const PROBE_TIMEOUT_MS = 1_000;

/** Something at the socket path that must not be removed: a live daemon, or a file that is not a socket. */
export class SocketPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SocketPathError';
  }
}

/** Whether a process accepts connections on the unix socket at `path`. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    const done = (live: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(live);
    };
    // A listener too busy to accept in time is alive all the same: never take its path.
    const timer = setTimeout(() => done(true), PROBE_TIMEOUT_MS);
    socket.once('connect', () => done(true));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      done(error.code !== 'ECONNREFUSED' && error.code !== 'ENOENT'),
    );
  });
}

/**
 * Makes `path` free for a new socket: nothing there is fine; a stale socket (nobody answers) is removed; a socket
 * another live process answers on, or anything that is not a socket (a regular file, a folder), is refused and
 * left as it is.
 */
export async function claimSocketPath(path: string): Promise<void> {
  let stat: ReturnType<typeof lstatSync>;
  try {
    stat = lstatSync(path);
  } catch {
    return;
  }
  if (!stat.isSocket()) {
    throw new SocketPathError(`--rpc-socket ${path} exists and is not a socket: not removed. Choose another path.`);
  }
  if (await answers(path)) {
    throw new SocketPathError(
      `--rpc-socket ${path} is in use: another daemon answers on it. Stop it, or choose another path.`,
    );
  }
  unlinkSync(path);
}

/** Removes the socket at `path` if it is still the one we made (same inode): never another daemon's, never a file. */
export function releaseSocketPath(path: string, ino: number | undefined): void {
  try {
    const stat = lstatSync(path);
    if (stat.isSocket() && stat.ino === ino) unlinkSync(path);
  } catch {
    // Already gone.
  }
}
