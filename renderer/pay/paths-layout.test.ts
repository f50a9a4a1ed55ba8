import { describe, expect, it } from 'vitest';
import { type GraphPart, layoutKey, layoutPaths, offsetPolyline, overlaps, strokeWidth } from './paths-layout';

// The picture's layout, computed by dagre: readable (no label over another), every part numbered on each hop it
// takes, paths as wide as their amounts.

const id = (n: number) => `02${n.toString(16).padStart(64, '0')}`;
const OWN = id(1);
const DEST = id(2);
const ROUTERS = Array.from({ length: 6 }, (_, i) => id(10 + i));
const NAMES = new Map<string, string>([
  [OWN, 'alice'],
  [DEST, 'bob'],
  ...ROUTERS.map((r, i): [string, string] => [
    r,
    ['atlas', 'harbor', 'carol-the-long-named-router', 'dave', 'erin', 'frank'][i] as string,
  ]),
]);
const nameOf = (x: string) => NAMES.get(x) ?? x.slice(0, 10);

/** 16 parts over shared hops: each of 4 first hops, then one of 3 second hops (some routes longer). */
function sixteenParts(): GraphPart[] {
  return Array.from({ length: 16 }, (_, i) => {
    const first = ROUTERS[i % 4] as string;
    const second = ROUTERS[4 + (i % 2)] as string;
    const hops = i % 5 === 0 ? [first, DEST] : [first, second, DEST];
    return {
      key: `part-${i + 1}`,
      number: i + 1,
      state: (['planned', 'pending', 'held', 'complete', 'failed'] as const)[i % 5] as GraphPart['state'],
      hops,
      amount: BigInt(10_000 + i * 7_000) * 1000n,
      ...(i % 5 === 4 ? { failedAt: 1 } : {}),
    };
  });
}

describe('paths layout (dagre)', () => {
  it('lays out 16 parts over shared hops with no overlapping labels, every part numbered on every hop', () => {
    const parts = sixteenParts();
    const layout = layoutPaths(parts, OWN, DEST, nameOf);
    expect(layout.nodes.map((n) => n.name).sort()).toEqual(
      ['alice (you)', 'bob', 'atlas', 'harbor', 'carol-the-long-named-router', 'dave', 'erin', 'frank'].sort(),
    );
    const boxes = [...layout.nodes, ...layout.edges.map((e) => e.label)];
    expect(overlaps(boxes)).toEqual([]);
    // Layered left to right: we are leftmost, the receiver rightmost.
    const x = (nid: string) => layout.nodes.find((n) => n.id === nid)?.x ?? Number.NaN;
    for (const n of layout.nodes) {
      if (n.id !== OWN) expect(x(n.id)).toBeGreaterThan(x(OWN));
      if (n.id !== DEST) expect(x(n.id)).toBeLessThan(x(DEST));
    }
    for (const part of parts) {
      const onEdges = layout.edges.filter((e) => e.lanes.some((l) => l.key === part.key));
      expect(onEdges.length, `part ${part.number}`).toBe(part.hops.length);
    }
    // Lanes on a shared hop sit side by side, none on another.
    for (const edge of layout.edges) {
      const sorted = [...edge.lanes].sort((a, b) => a.offset - b.offset);
      for (let i = 1; i < sorted.length; i++) {
        const a = sorted[i - 1] as (typeof sorted)[number];
        const b = sorted[i] as (typeof sorted)[number];
        expect(b.offset - b.width / 2).toBeGreaterThanOrEqual(a.offset + a.width / 2 - 1e-9);
      }
    }
  });

  it('does not depend on the parts’ states; widths follow amounts', () => {
    const parts = sixteenParts();
    const resolved = parts.map((p) => ({ ...p, state: 'complete' as const }));
    expect(layoutKey(resolved, OWN, DEST)).toBe(layoutKey(parts, OWN, DEST));
    expect(layoutPaths(resolved, OWN, DEST, nameOf)).toEqual(layoutPaths(parts, OWN, DEST, nameOf));
    expect(strokeWidth(100n, 100n)).toBeGreaterThan(strokeWidth(25n, 100n));
    expect(strokeWidth(25n, 100n)).toBeGreaterThan(strokeWidth(1n, 100n));
    expect(
      offsetPolyline(
        [
          { x: 0, y: 0 },
          { x: 10, y: 0 },
        ],
        2,
      ),
    ).toBe('M0 2 L10 2');
  });
});
