import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** `gc` without asking for a node flag: tsx runs the benches, so --expose-gc may not be on the command line. */
export function findGc(): (() => void) | undefined {
  const global = globalThis as { gc?: () => void };
  if (typeof global.gc === 'function') return global.gc;
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}
