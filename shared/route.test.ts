import { describe, expect, it } from 'vitest';
import type { LndRoute } from './lnd-route';
import { checkRoute, fromLndRoute, routeDelay, routeDelivered, routeFee, routeSent, toLndRoute } from './route';
import type { Route } from './types';

const A = `02${'aa'.repeat(32)}`; // our node
const B = `03${'bb'.repeat(32)}`;
const C = `02${'cc'.repeat(32)}`;
const D = `02${'11'.repeat(32)}`; // destination
const HEIGHT = 800_000;
const SECRET = 'ab'.repeat(32);

// Channel ids above 2^53, worked out by hand: (block << 40) | (tx << 16) | output.
const C1 = { text: '870000x1234x1', id: 956575116245991425n };
const C2 = { text: '870704x10745486x1', id: 957349876567244801n };
const C3 = { text: '812345x999x3', id: 893182773331165187n };

// A → B → C → D. D receives 100000 msat with a final CLTV delta of 40.
// C: base 1000 + 100 ppm of 100000 = 1010 fee, CLTV delta 40 → 101010 msat arrive at C, delay 80.
// B: base 500 + 1000 ppm of 101010 = 601 fee (rounded down), CLTV delta 144 → 101611 arrive at B, delay 224.
// Directions: A < B → 0; B > C → 1; C > D → 1.
const threeHop: Route = [
  { id: B, channel: C1.text, direction: 0, msatoshi: 101_611n, delay: 224 },
  { id: C, channel: C2.text, direction: 1, msatoshi: 101_010n, delay: 80 },
  { id: D, channel: C3.text, direction: 1, msatoshi: 100_000n, delay: 40 },
];
const threeHopLnd: LndRoute = {
  total_time_lock: 800_224,
  total_amt_msat: 101_611n,
  total_fees_msat: 1_611n,
  hops: [
    { chan_id: C1.id, pub_key: B, amt_to_forward_msat: 101_010n, fee_msat: 601n, expiry: 800_080 },
    { chan_id: C2.id, pub_key: C, amt_to_forward_msat: 100_000n, fee_msat: 1_010n, expiry: 800_040 },
    { chan_id: C3.id, pub_key: D, amt_to_forward_msat: 100_000n, fee_msat: 0n, expiry: 800_040 },
  ],
};

// A → B directly: 50000 msat, final CLTV delta 18, no fee.
const oneHop: Route = [{ id: B, channel: C1.text, direction: 0, msatoshi: 50_000n, delay: 18 }];
const oneHopLnd: LndRoute = {
  total_time_lock: 800_018,
  total_amt_msat: 50_000n,
  total_fees_msat: 0n,
  hops: [{ chan_id: C1.id, pub_key: B, amt_to_forward_msat: 50_000n, fee_msat: 0n, expiry: 800_018 }],
};

describe('toLndRoute', () => {
  it('converts a 1-hop route', () => {
    expect(toLndRoute(oneHop, { height: HEIGHT })).toStrictEqual(oneHopLnd);
  });

  it('converts a 3-hop route with fees and CLTV deltas', () => {
    expect(toLndRoute(threeHop, { height: HEIGHT })).toStrictEqual(threeHopLnd);
  });

  it('puts the MPP record on the final hop only', () => {
    const lnd = toLndRoute(threeHop, { height: HEIGHT, mpp: { paymentSecret: SECRET, totalMsat: 300_000n } });
    expect(lnd.hops[0]?.mpp_record).toBeUndefined();
    expect(lnd.hops[1]?.mpp_record).toBeUndefined();
    expect(lnd.hops[2]?.mpp_record).toStrictEqual({ payment_addr: SECRET, total_amt_msat: 300_000n });
    const single = toLndRoute(oneHop, { height: HEIGHT, mpp: { paymentSecret: SECRET, totalMsat: 50_000n } });
    expect(single.hops[0]?.mpp_record).toStrictEqual({ payment_addr: SECRET, total_amt_msat: 50_000n });
  });

  it('refuses a bad MPP record', () => {
    expect(() => toLndRoute(oneHop, { height: HEIGHT, mpp: { paymentSecret: 'xyz', totalMsat: 50_000n } })).toThrow(
      /paymentSecret/,
    );
    expect(() => toLndRoute(oneHop, { height: HEIGHT, mpp: { paymentSecret: SECRET, totalMsat: 49_999n } })).toThrow(
      /totalMsat/,
    );
  });

  it('refuses amounts or delays that increase along the route', () => {
    const moreAmount: Route = threeHop.map((h, i) => (i === 2 ? { ...h, msatoshi: 101_011n } : h));
    expect(() => toLndRoute(moreAmount, { height: HEIGHT })).toThrow(/route\[2\]\.msatoshi 101011 exceeds route\[1\]/);
    const moreDelay: Route = threeHop.map((h, i) => (i === 1 ? { ...h, delay: 225 } : h));
    expect(() => toLndRoute(moreDelay, { height: HEIGHT })).toThrow(/route\[1\]\.delay 225 exceeds route\[0\]/);
  });

  it('refuses malformed routes', () => {
    expect(() => toLndRoute([], { height: HEIGHT })).toThrow(/at least one hop/);
    expect(() => checkRoute([{ ...oneHop[0], channel: '1x2' } as Route[number]])).toThrow(/route\[0\]\.channel/);
    expect(() => checkRoute([{ ...oneHop[0], id: 'nope' } as Route[number]])).toThrow(/route\[0\]\.id/);
    expect(() => checkRoute([{ ...oneHop[0], msatoshi: 0n } as Route[number]])).toThrow(/route\[0\]\.msatoshi/);
    expect(() => checkRoute([{ ...oneHop[0], delay: 1.5 } as Route[number]])).toThrow(/route\[0\]\.delay/);
    expect(() => toLndRoute(oneHop, { height: -1 })).toThrow(/height/);
  });
});

describe('fromLndRoute', () => {
  it('converts a 1-hop route', () => {
    expect(fromLndRoute(oneHopLnd, HEIGHT, A)).toStrictEqual(oneHop);
  });

  it('converts a 3-hop route, channel ids above 2^53 intact', () => {
    expect(fromLndRoute(threeHopLnd, HEIGHT, A)).toStrictEqual(threeHop);
  });

  it('leaves out the first direction when our own id is unknown', () => {
    const route = fromLndRoute(threeHopLnd, HEIGHT);
    expect(route[0]).toStrictEqual({ id: B, channel: C1.text, msatoshi: 101_611n, delay: 224 });
    expect(route[1]?.direction).toBe(1);
    expect(route[2]?.direction).toBe(1);
  });

  it('refuses an inconsistent LND route', () => {
    const badFee: LndRoute = {
      ...threeHopLnd,
      hops: threeHopLnd.hops.map((h, i) => (i === 0 ? { ...h, fee_msat: 600n } : h)),
    };
    expect(() => fromLndRoute(badFee, HEIGHT)).toThrow(/hop 0: fee_msat 600/);
    expect(() => fromLndRoute({ ...threeHopLnd, total_fees_msat: 1n }, HEIGHT)).toThrow(/total_fees_msat/);
    expect(() => fromLndRoute({ ...oneHopLnd, hops: [] }, HEIGHT)).toThrow(/no hops/);
  });
});

describe('round trips', () => {
  it('Route → LndRoute → Route is the identity', () => {
    for (const route of [oneHop, threeHop]) {
      expect(fromLndRoute(toLndRoute(route, { height: HEIGHT }), HEIGHT, A)).toStrictEqual(route);
    }
  });

  it('LndRoute → Route → LndRoute is the identity, MPP record included', () => {
    for (const lnd of [oneHopLnd, threeHopLnd]) {
      expect(toLndRoute(fromLndRoute(lnd, HEIGHT), { height: HEIGHT })).toStrictEqual(lnd);
    }
    const mpp = { paymentSecret: SECRET, totalMsat: 250_000n };
    const withMpp = toLndRoute(threeHop, { height: HEIGHT, mpp });
    expect(toLndRoute(fromLndRoute(withMpp, HEIGHT, A), { height: HEIGHT, mpp })).toStrictEqual(withMpp);
  });

  it('keeps channel ids above 2^53 exact', () => {
    const lnd = toLndRoute(threeHop, { height: HEIGHT });
    expect(lnd.hops.map((h) => h.chan_id)).toStrictEqual([C1.id, C2.id, C3.id]);
    expect(lnd.hops.every((h) => h.chan_id > 2n ** 53n)).toBe(true);
  });
});

describe('route sums', () => {
  it('sent, delivered, fee and delay', () => {
    expect(routeSent(threeHop)).toBe(101_611n);
    expect(routeDelivered(threeHop)).toBe(100_000n);
    expect(routeFee(threeHop)).toBe(1_611n);
    expect(routeDelay(threeHop)).toBe(224);
    expect(routeFee(oneHop)).toBe(0n);
    expect(() => routeFee([])).toThrow(/no hops/);
  });
});
