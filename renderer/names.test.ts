import { describe, expect, it } from 'vitest';
import { shortHex } from './format';
import { nodeName, peerName } from './names';

const PEER = `02${'ab'.repeat(32)}`;

describe('peerName', () => {
  it('names a peer as nodeName does when the alias is known here', () => {
    const aliases = { [PEER]: 'carol' };
    expect(peerName({ peer_id: PEER, peer_alias: 'old name' }, aliases)).toBe(nodeName(PEER, aliases));
    expect(peerName({ peer_id: PEER }, aliases)).toBe('carol');
  });
  it('falls back to the alias the channel came with, then to a short id', () => {
    expect(peerName({ peer_id: PEER, peer_alias: 'carol' }, {})).toBe('carol');
    expect(peerName({ peer_id: PEER, peer_alias: '' }, {})).toBe(shortHex(PEER));
    expect(peerName({ peer_id: PEER }, {})).toBe(nodeName(PEER, {}));
  });
});
