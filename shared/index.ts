// Pure TypeScript shared by main process, renderer and tests: no Node, no DOM, no imports of our other folders.

/** An amount in millisatoshis (LND's smallest unit); bigint so sums over many parts stay exact. */
export type Msat = bigint;
