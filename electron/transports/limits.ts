// The limits every JSON-RPC transport holds a client to, with the error each one answers. One definition each.

/** Longest JSON-RPC message (one line on the socket): far above any real request (a 20-hop route is ~4 KiB). */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
/** Most requests in one batch. */
export const MAX_BATCH = 256;
/** Most connections open at once on the local socket. */
export const MAX_CONNECTIONS = 64;

export const tooLong = () => `request too long: more than ${MAX_MESSAGE_BYTES} bytes without a newline`;
export const tooManyInBatch = (n: number) => `batch too large: ${n} requests, at most ${MAX_BATCH}`;
export const tooManyConnections = () => `too many connections: at most ${MAX_CONNECTIONS} at once; close one first`;

/**
 * Splits a byte stream into newline-ended lines (a trailing \r dropped), holding at most `max` bytes of an
 * unfinished line: past that, `onTooLong` is called once and nothing more is read.
 */
export class LineSplitter {
  private chunks: Buffer[] = [];
  private held = 0;
  private stopped = false;

  constructor(
    private readonly max: number,
    private readonly onLine: (line: string) => void,
    private readonly onTooLong: () => void,
  ) {}

  push(chunk: Buffer): void {
    if (this.stopped) return;
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, nl);
      if (this.held + piece.length > this.max) {
        this.stop();
        return;
      }
      const line = this.chunks.length === 0 ? piece : Buffer.concat([...this.chunks, piece]);
      this.chunks = [];
      this.held = 0;
      start = nl + 1;
      let text = line.toString('utf8');
      if (text.endsWith('\r')) text = text.slice(0, -1);
      this.onLine(text);
      if (this.stopped) return;
    }
    const rest = chunk.subarray(start);
    if (rest.length === 0) return;
    if (this.held + rest.length > this.max) {
      this.stop();
      return;
    }
    this.chunks.push(Buffer.from(rest));
    this.held += rest.length;
  }

  /** The stream ended: a last line without its newline is still a line (as readline has it). */
  end(): void {
    if (this.stopped || this.held === 0) return;
    let text = Buffer.concat(this.chunks).toString('utf8');
    this.chunks = [];
    this.held = 0;
    if (text.endsWith('\r')) text = text.slice(0, -1);
    this.onLine(text);
  }

  private stop(): void {
    this.stopped = true;
    this.chunks = [];
    this.held = 0;
    this.onTooLong();
  }
}
