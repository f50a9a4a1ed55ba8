import { memo, useId, useLayoutEffect, useMemo } from 'react';
import { formatMsat } from '../format';
import { highlightProps, useHighlight } from '../stores/highlight';
import {
  CHIP,
  type GraphPart,
  type LaidEdge,
  layoutKey,
  layoutPaths,
  offsetPolyline,
  PATHS_MEASURE,
  type PartState,
} from './paths-layout';

// The picture of a payment: its parts' paths from our node to the receiver, laid out by dagre (paths-layout.ts).
// Self-contained: give it the parts and a way to name a node; the Pay screen and History both use it.

export const STATE_WORDS: Record<PartState, string> = {
  planned: 'planned',
  pending: 'in flight',
  held: 'held at the receiver',
  complete: 'complete',
  failed: 'failed',
};

/** A User Timing measure per update (render start to commit), read by bench:ui. */
const MARK = 'braid-paths:render';

function measureStart(): void {
  globalThis.performance?.mark?.(MARK);
}

function measureEnd(): void {
  const perf = globalThis.performance;
  if (!perf?.measure) return;
  try {
    perf.measure(PATHS_MEASURE, MARK);
    perf.clearMarks(MARK);
    if (perf.getEntriesByName(PATHS_MEASURE).length > 500) perf.clearMeasures(PATHS_MEASURE);
  } catch {
    // No mark (a render that did not start here).
  }
}

/** Where a failed part stopped: the name of the node that failed it. */
function failedAtName(part: GraphPart, ownId: string, nameOf: (id: string) => string): string | undefined {
  if (part.state !== 'failed' || part.failedAt === undefined) return undefined;
  const id = part.failedAt === 0 ? ownId : part.hops[part.failedAt - 1];
  return id === undefined ? undefined : nameOf(id);
}

export function partSummary(part: GraphPart, ownId: string, nameOf: (id: string) => string): string {
  const at = failedAtName(part, ownId, nameOf);
  const state = at ? `failed at ${at}` : STATE_WORDS[part.state];
  return `Part ${part.number}, ${formatMsat(part.amount)}, ${state}: ${part.hops.map(nameOf).join(' → ')}`;
}

export const PathsGraph = memo(function PathsGraph({
  parts,
  ownId,
  destination,
  nameOf,
  label = 'Payment paths',
}: {
  parts: readonly GraphPart[];
  ownId: string;
  destination: string;
  nameOf: (id: string) => string;
  label?: string;
}) {
  measureStart();
  const highlighted = useHighlight((s) => s.part);
  const descId = useId();
  const key = layoutKey(parts, ownId, destination);
  const names = parts.flatMap((p) => p.hops.map(nameOf)).join('|') + nameOf(ownId) + nameOf(destination);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the layout depends on exactly what `key` and `names` hold
  const layout = useMemo(() => layoutPaths(parts, ownId, destination, nameOf), [key, names]);
  useLayoutEffect(measureEnd);
  const byKey = new Map(parts.map((p) => [p.key, p]));
  // Under the others: failed parts; on top: the highlighted one.
  const order: Record<PartState, number> = { failed: 0, planned: 1, pending: 2, held: 3, complete: 4 };
  const lanes = layout.edges
    .flatMap((edge) => edge.lanes.map((lane) => ({ edge, lane, part: byKey.get(lane.key) })))
    .filter((l): l is { edge: LaidEdge; lane: LaidEdge['lanes'][number]; part: GraphPart } => l.part !== undefined)
    .sort(
      (a, b) =>
        Number(a.part.key === highlighted) - Number(b.part.key === highlighted) ||
        order[a.part.state] - order[b.part.state],
    );
  const summary = parts.map((p) => partSummary(p, ownId, nameOf)).join('. ');
  return (
    <figure className="paths-graph">
      <div className="paths-scroll">
        <svg
          role="img"
          aria-label={label}
          aria-describedby={descId}
          viewBox={`0 0 ${layout.width} ${layout.height}`}
          width={layout.width}
          height={layout.height}
          data-layout-width={layout.width}
          data-layout-height={layout.height}
          className={highlighted && byKey.has(highlighted) ? 'has-highlight' : undefined}
        >
          <desc id={descId}>{summary || 'No paths yet.'}</desc>
          {lanes.map(({ edge, lane, part }) => {
            const reached = hopReached(part, edge);
            return (
              <path
                key={`${edge.from}>${edge.to}>${part.key}`}
                d={offsetPolyline(edge.points, lane.offset)}
                className={`lane lane--${part.state}${reached ? '' : ' lane--unreached'}${part.key === highlighted ? ' lane--highlight' : ''}`}
                strokeWidth={lane.width}
                data-part={part.number}
                data-state={part.state}
                fill="none"
                {...highlightProps(part.key)}
              >
                <title>{partSummary(part, ownId, nameOf)}</title>
              </path>
            );
          })}
          {layout.nodes.map((n) => (
            <g
              key={n.id}
              className={`node node--${n.role}`}
              data-node={n.id}
              data-box={`${n.x},${n.y},${n.width},${n.height}`}
            >
              <title>{n.id}</title>
              <rect x={n.x - n.width / 2} y={n.y - n.height / 2} width={n.width} height={n.height} rx={6} />
              <text x={n.x} y={n.y} textAnchor="middle" dominantBaseline="central">
                {n.name}
              </text>
            </g>
          ))}
          {layout.edges.map((edge) => (
            <g
              key={`${edge.from}>${edge.to}`}
              className="chips"
              data-box={`${edge.label.x},${edge.label.y},${edge.label.width},${edge.label.height}`}
            >
              {edge.lanes.map((lane, i) => {
                const part = byKey.get(lane.key);
                if (!part) return null;
                const x = edge.label.x - edge.label.width / 2 + i * (CHIP.width + CHIP.gap);
                const y = edge.label.y - CHIP.height / 2;
                const reached = hopReached(part, edge);
                return (
                  <g
                    key={lane.key}
                    className={`chip chip--${part.state}${reached ? '' : ' chip--unreached'}${part.key === highlighted ? ' chip--highlight' : ''}`}
                    data-part={part.number}
                    data-state={part.state}
                    {...highlightProps(part.key)}
                  >
                    <title>{partSummary(part, ownId, nameOf)}</title>
                    <rect x={x} y={y} width={CHIP.width} height={CHIP.height} rx={4} />
                    <text x={x + CHIP.width / 2} y={y + CHIP.height / 2} textAnchor="middle" dominantBaseline="central">
                      {part.number}
                    </text>
                  </g>
                );
              })}
            </g>
          ))}
          {parts.map((part) => {
            const at = failureMark(part, layout.nodes, ownId);
            if (!at) return null;
            return (
              <g key={`x-${part.key}`} className="failed-at" data-part={part.number}>
                <title>{`Part ${part.number} failed at ${failedAtName(part, ownId, nameOf)}${part.failure ? `: ${part.failure}` : ''}`}</title>
                <path
                  d={`M${at.x - 5} ${at.y - 5} L${at.x + 5} ${at.y + 5} M${at.x + 5} ${at.y - 5} L${at.x - 5} ${at.y + 5}`}
                />
              </g>
            );
          })}
        </svg>
      </div>
      <figcaption className="legend">
        {(['planned', 'pending', 'held', 'complete', 'failed'] as const).map((s) => (
          <span key={s} className="legend-item">
            <span className={`swatch swatch--${s}`} /> {STATE_WORDS[s]}
          </span>
        ))}
        <span className="legend-item note">Width: amount. Numbers: parts.</span>
      </figcaption>
    </figure>
  );
});

/** Whether a part's HTLC went over this hop: every hop of a part not failed, and a failed part's hops before the node that failed it. */
function hopReached(part: GraphPart, edge: LaidEdge): boolean {
  if (part.state !== 'failed' || part.failedAt === undefined) return true;
  const index = part.hops.indexOf(edge.to);
  return index < part.failedAt;
}

/** Where to mark a failed part's failure: just right of the node that failed it. */
function failureMark(
  part: GraphPart,
  nodes: readonly { id: string; x: number; y: number; width: number }[],
  ownId: string,
) {
  if (part.state !== 'failed' || part.failedAt === undefined) return undefined;
  const id = part.failedAt === 0 ? ownId : part.hops[part.failedAt - 1];
  const n = nodes.find((x) => x.id === id);
  if (!n) return undefined;
  return { x: n.x + n.width / 2 + 7, y: n.y - 12 };
}
