import { type Aliases, nodeName } from '../names';
import type { TableRow } from './view';

interface Point {
  x: number;
  y: number;
}

const COLUMN_GAP = 170;
const ROW_GAP = 56;
const MARGIN_X = 60;
const MARGIN_Y = 36;

/** Places our node left, the receiver right and every other node in the column of its first hop position. */
export function layoutGraph(ownId: string, destination: string, routes: { id: string }[][]) {
  const hops = Math.max(1, ...routes.map((r) => r.length));
  const columns: string[][] = Array.from({ length: hops + 1 }, () => []);
  const column = new Map<string, number>([
    [ownId, 0],
    [destination, hops],
  ]);
  (columns[0] as string[]).push(ownId);
  (columns[hops] as string[]).push(destination);
  for (const route of routes) {
    route.forEach((hop, i) => {
      if (column.has(hop.id)) return;
      const c = Math.min(i + 1, hops - 1);
      column.set(hop.id, c);
      (columns[c] as string[]).push(hop.id);
    });
  }
  const tallest = Math.max(...columns.map((c) => c.length));
  const height = MARGIN_Y * 2 + (tallest - 1) * ROW_GAP;
  const positions = new Map<string, Point>();
  columns.forEach((ids, c) => {
    const top = (height - (ids.length - 1) * ROW_GAP) / 2;
    ids.forEach((id, r) => {
      positions.set(id, { x: MARGIN_X + c * COLUMN_GAP, y: top + r * ROW_GAP });
    });
  });
  return { positions, width: MARGIN_X * 2 + hops * COLUMN_GAP, height };
}

/** The parts' paths from our node to the receiver, each coloured by its status as it changes. */
export function PathsGraph({
  rows,
  ownId,
  destination,
  aliases,
}: {
  rows: TableRow[];
  ownId: string;
  destination: string;
  aliases: Aliases;
}) {
  const drawn = rows.filter((r) => r.route && r.route.length > 0);
  // Failed paths underneath, then planned, pending, and complete on top.
  const layer = { failed: 0, planned: 1, pending: 2, complete: 3 } as const;
  const painted = [...drawn].sort((a, b) => layer[a.status] - layer[b.status]);
  const { positions, width, height } = layoutGraph(
    ownId,
    destination,
    drawn.map((r) => r.route as { id: string }[]),
  );
  const summary = drawn
    .map((r) => `Part ${r.number} ${r.status}: ${(r.route ?? []).map((h) => nodeName(h.id, aliases)).join(', ')}`)
    .join('; ');
  return (
    <figure className="paths-graph">
      <svg role="img" aria-label="Payment paths" viewBox={`0 0 ${width} ${height}`} width={width} height={height}>
        <desc>{summary || 'No paths yet.'}</desc>
        {painted.map((r) => {
          const i = drawn.indexOf(r);
          const offset = Math.max(-12, Math.min(12, (i - (drawn.length - 1) / 2) * 3));
          const points = [ownId, ...(r.route ?? []).map((h) => h.id)]
            .map((id) => positions.get(id))
            .filter((p): p is Point => p !== undefined);
          const d = points.map((p, k) => `${k === 0 ? 'M' : 'L'}${p.x} ${p.y + offset}`).join(' ');
          return (
            <path
              key={r.key}
              d={d}
              className={`edge edge--${r.status}`}
              data-status={r.status}
              data-part={r.number}
              fill="none"
            >
              <title>{`Part ${r.number}: ${r.status}`}</title>
            </path>
          );
        })}
        {[...positions].map(([id, p]) => (
          <g key={id} className={`node ${id === ownId ? 'node--own' : id === destination ? 'node--dest' : ''}`}>
            <title>{id}</title>
            <circle cx={p.x} cy={p.y} r={9} />
            <text x={p.x} y={p.y - 15} textAnchor="middle">
              {id === ownId ? `${nodeName(id, aliases)} (you)` : nodeName(id, aliases)}
            </text>
          </g>
        ))}
      </svg>
      <figcaption className="legend">
        <span className="swatch swatch--planned" /> planned <span className="swatch swatch--pending" /> pending{' '}
        <span className="swatch swatch--complete" /> complete <span className="swatch swatch--failed" /> failed
      </figcaption>
    </figure>
  );
}
