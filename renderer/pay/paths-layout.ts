// Where the picture of a payment puts things: a layered (Sugiyama) layout by dagre, left to right from our node to
// the receiver. dagre rather than elkjs: it lays out synchronously (in the render, within a frame; elkjs answers
// with a Promise, meant for a worker), it is small (elkjs is ~1.5 MB of compiled Java), and it places edge labels as
// nodes of their own, so that no label overlaps a node or another label by construction.
//
// One dagre node per Lightning node (sized to its name), one dagre edge per hop that some part takes (two parts over
// the same channel pair share it), labelled with the numbers of the parts that take it. Each part is then drawn along
// its hops' edges, side by side with the others on a shared hop, as wide as its amount.

import dagre from '@dagrejs/dagre';

/** The User Timing measure PathsGraph records per update (render start to commit), read by bench:ui. */
export const PATHS_MEASURE = 'braid-paths';

export type PartState = 'planned' | 'pending' | 'held' | 'complete' | 'failed';

export interface GraphPart {
  /** Stable across updates (the table row's key). */
  key: string;
  /** As the table numbers it. */
  number: number;
  state: PartState;
  /** The nodes after ours, first hop first; the last is the receiver. */
  hops: readonly string[];
  /** What the part delivers (msat): the width of its path. */
  amount: bigint;
  /** For a failed part: the node that failed it, as an index into [ourId, ...hops] (the API's erring_index). */
  failedAt?: number;
  /** For a failed part, in words. */
  failure?: string;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LaidNode extends Box {
  id: string;
  name: string;
  role: 'own' | 'destination' | 'router';
}

export interface LaidLane {
  key: string;
  number: number;
  /** Perpendicular offset from the edge's centre line. */
  offset: number;
  width: number;
}

export interface LaidEdge {
  from: string;
  to: string;
  /** dagre's polyline from `from` to `to` (through its label). */
  points: { x: number; y: number }[];
  /** The chip row with the part numbers. */
  label: Box;
  lanes: LaidLane[];
}

export interface PathsLayout {
  width: number;
  height: number;
  nodes: LaidNode[];
  edges: LaidEdge[];
}

const FONT_PX = 12;
/** Wide enough for system-ui at 12 px (an average glyph is ~0.6 em; this errs on the wide side). */
const CHAR_PX = 7.4;
const NODE_HEIGHT = 28;
const NODE_PAD = 18;
export const CHIP = { width: 22, height: 18, gap: 3 } as const;
const MIN_STROKE = 2;
const MAX_STROKE = 9;
const LANE_GAP = 2;

export const LAYOUT_FONT_PX = FONT_PX;

function textWidth(text: string): number {
  return Math.ceil(text.length * CHAR_PX);
}

/** The stroke width of a part: by the square root of its share of the largest part's amount. */
export function strokeWidth(amount: bigint, largest: bigint): number {
  if (largest <= 0n) return MIN_STROKE;
  const share = Number((amount * 10_000n) / largest) / 10_000;
  return Math.round((MIN_STROKE + (MAX_STROKE - MIN_STROKE) * Math.sqrt(Math.max(0, share))) * 10) / 10;
}

/** What the layout depends on (not the parts' states): equal keys, equal layouts. */
export function layoutKey(parts: readonly GraphPart[], ownId: string, destination: string): string {
  return `${ownId}>${destination}|${parts.map((p) => `${p.key}:${p.number}:${p.amount}:${p.hops.join(',')}`).join('|')}`;
}

export function layoutPaths(
  parts: readonly GraphPart[],
  ownId: string,
  destination: string,
  nameOf: (id: string) => string,
): PathsLayout {
  const g = new dagre.graphlib.Graph({ multigraph: false });
  g.setGraph({ rankdir: 'LR', nodesep: 22, ranksep: 56, edgesep: 14, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  const names = new Map<string, string>();
  const addNode = (id: string) => {
    if (names.has(id)) return;
    const name = id === ownId ? `${nameOf(id)} (you)` : nameOf(id);
    names.set(id, name);
    g.setNode(id, { width: textWidth(name) + NODE_PAD, height: NODE_HEIGHT });
  };
  addNode(ownId);
  addNode(destination);
  let largest = 0n;
  for (const p of parts) if (p.amount > largest) largest = p.amount;
  // Hops in order of first use; each with the parts over it, in part order.
  const hops = new Map<string, { from: string; to: string; parts: GraphPart[] }>();
  for (const part of [...parts].sort((a, b) => a.number - b.number)) {
    let from = ownId;
    for (const to of part.hops) {
      addNode(to);
      if (to === from) continue;
      const id = `${from}>${to}`;
      let hop = hops.get(id);
      if (!hop) {
        hop = { from, to, parts: [] };
        hops.set(id, hop);
      }
      if (!hop.parts.includes(part)) hop.parts.push(part);
      from = to;
    }
  }
  for (const hop of hops.values()) {
    const n = hop.parts.length;
    g.setEdge(hop.from, hop.to, {
      width: n * CHIP.width + (n - 1) * CHIP.gap,
      height: CHIP.height,
      labelpos: 'c',
      // Shared hops pull harder: the parts' common paths stay straight.
      weight: n,
    });
  }
  dagre.layout(g);

  const nodes: LaidNode[] = [...names].map(([id, name]) => {
    const n = g.node(id);
    return {
      id,
      name,
      role: id === ownId ? 'own' : id === destination ? 'destination' : 'router',
      x: n.x ?? 0,
      y: n.y ?? 0,
      width: n.width,
      height: n.height,
    };
  });
  const edges: LaidEdge[] = [...hops.values()].map((hop) => {
    const e = g.edge(hop.from, hop.to);
    const widths = hop.parts.map((p) => strokeWidth(p.amount, largest));
    const total = widths.reduce((t, w) => t + w, 0) + LANE_GAP * (widths.length - 1);
    let at = -total / 2;
    const lanes = hop.parts.map((p, i) => {
      const width = widths[i] as number;
      const lane = { key: p.key, number: p.number, offset: at + width / 2, width };
      at += width + LANE_GAP;
      return lane;
    });
    return {
      from: hop.from,
      to: hop.to,
      points: (e.points ?? []).map((p: { x: number; y: number }) => ({ x: p.x, y: p.y })),
      label: { x: e.x ?? 0, y: e.y ?? 0, width: e.width ?? 0, height: e.height ?? 0 },
      lanes,
    };
  });
  const graph = g.graph();
  return { width: Math.ceil(graph.width ?? 0), height: Math.ceil(graph.height ?? 0), nodes, edges };
}

/** Boxes (centre x/y) that overlap, as pairs of indices: what a readable picture has none of. */
export function overlaps(boxes: readonly Box[]): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i] as Box;
      const b = boxes[j] as Box;
      if (Math.abs(a.x - b.x) * 2 < a.width + b.width && Math.abs(a.y - b.y) * 2 < a.height + b.height) {
        out.push([i, j]);
      }
    }
  }
  return out;
}

/** A polyline moved sideways by `offset` (perpendicular to each segment, mitred at the joints). */
export function offsetPolyline(points: readonly { x: number; y: number }[], offset: number): string {
  if (points.length < 2 || offset === 0)
    return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${r1(p.x)} ${r1(p.y)}`).join(' ');
  const normals = points.slice(1).map((p, i) => {
    const q = points[i] as { x: number; y: number };
    const dx = p.x - q.x;
    const dy = p.y - q.y;
    const len = Math.hypot(dx, dy) || 1;
    return { x: -dy / len, y: dx / len };
  });
  return points
    .map((p, i) => {
      const a = normals[Math.max(0, i - 1)] as { x: number; y: number };
      const b = normals[Math.min(normals.length - 1, i)] as { x: number; y: number };
      let nx = a.x + b.x;
      let ny = a.y + b.y;
      const len = Math.hypot(nx, ny) || 1;
      nx /= len;
      ny /= len;
      // Mitre: keep the lanes parallel through a bend (capped for sharp turns).
      const cos = Math.max(0.5, nx * a.x + ny * a.y);
      const d = offset / cos;
      return `${i === 0 ? 'M' : 'L'}${r1(p.x + nx * d)} ${r1(p.y + ny * d)}`;
    })
    .join(' ');
}

function r1(x: number): number {
  return Math.round(x * 10) / 10;
}
