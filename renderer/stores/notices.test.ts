import { describe, expect, it } from 'vitest';
import type { Payment } from '../../shared/types';
import { useNode } from './node';
import { describeChange, useNotices } from './notices';

// What the one live region says as a payment changes: once per change of the payment, in words, and nothing for a
// change a listener does not need.

const base: Payment = {
  payment_hash: 'ab'.repeat(32),
  status: 'pending',
  msatoshi: 700_000_000n,
  msatoshi_sent: 0n,
  destination: `02${'c'.repeat(64)}`,
  created_at: 1_700_000_000,
  parts: { pending: 0, complete: 0, failed: 0 },
};
const at = (parts: Payment['parts'], over: Partial<Payment> = {}): Payment => ({ ...base, ...over, parts });

describe('payment announcements', () => {
  it('says sent, a part failed, complete and failed, each once', () => {
    const sent = at({ pending: 4, complete: 0, failed: 0 });
    expect(describeChange(undefined, sent)).toMatch(/^Payment of 700,000 sat to .* sent: 4 parts in flight\.$/);
    const failed1 = at({ pending: 3, complete: 0, failed: 1 });
    expect(describeChange(sent, failed1)).toMatch(/1 part failed; 3 parts in flight/);
    const rerouted = at({ pending: 4, complete: 0, failed: 1 });
    expect(describeChange(failed1, rerouted)).toMatch(/4 parts in flight/);
    const done = at({ pending: 0, complete: 4, failed: 1 }, { status: 'complete', msatoshi_sent: 700_012_000n });
    expect(describeChange(rerouted, done)).toMatch(/complete\. Fee 12 sat\.$/);
    expect(describeChange(done, done)).toBeUndefined();
    const lost = at({ pending: 0, complete: 0, failed: 4 }, { status: 'failed' });
    expect(describeChange(sent, lost)).toMatch(/failed: every part failed/);
    // A part that resolves while others are in flight, with nothing failed, is not news.
    expect(describeChange(sent, at({ pending: 3, complete: 1, failed: 0 }))).toBeUndefined();
  });

  it('calls a payment from us to us a rebalance, with no receiver', () => {
    const own = `03${'e'.repeat(64)}`;
    const before = useNode.getState().info;
    useNode.setState({ info: { ...(before ?? ({} as NonNullable<typeof before>)), id: own } });
    try {
      const sent = at({ pending: 2, complete: 0, failed: 0 }, { destination: own, msatoshi: 300_000_000n });
      expect(describeChange(undefined, sent)).toBe('Rebalance of 300,000 sat sent: 2 parts in flight.');
      const done = at(
        { pending: 0, complete: 2, failed: 0 },
        { destination: own, status: 'complete', msatoshi: 300_000_000n, msatoshi_sent: 300_090_000n },
      );
      expect(describeChange(sent, done)).toBe('Rebalance of 300,000 sat complete. Fee 90 sat.');
      // Another node's payment keeps its receiver.
      expect(describeChange(undefined, at({ pending: 1, complete: 0, failed: 0 }))).toMatch(
        /^Payment of 700,000 sat to /,
      );
    } finally {
      useNode.setState({ info: before });
    }
  });

  it('keeps a few notices, one per payment, and announces the same words twice', () => {
    const s = useNotices.getState();
    for (let i = 0; i < 6; i++) s.push({ payment_hash: `${i}`.repeat(64), status: 'complete', text: `p${i}` });
    s.push({ payment_hash: '5'.repeat(64), status: 'failed', text: 'again' });
    const notices = useNotices.getState().notices;
    expect(notices.map((n) => n.text)).toEqual(['p2', 'p3', 'p4', 'again']);
    s.announce('same');
    const first = useNotices.getState().announcement;
    s.announce('same');
    expect(useNotices.getState().announcement).not.toBe(first);
    expect(useNotices.getState().announcement.trim()).toBe('same');
  });
});
