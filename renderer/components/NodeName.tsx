import { useState } from 'react';
import type { Route } from '../../shared/types';
import { type Aliases, nodeName } from '../names';

/** A node by its alias; its id on hover (title) and copied by a click. */
export function NodeName({ id, aliases, suffix }: { id: string; aliases: Aliases; suffix?: string }) {
  const [copied, setCopied] = useState(false);
  const copy = () => {
    void navigator.clipboard?.writeText(id).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  };
  return (
    <button
      type="button"
      className="node-name"
      title={copied ? `${id} (copied)` : `${id} (click to copy)`}
      data-node-id={id}
      onClick={copy}
    >
      {nodeName(id, aliases)}
      {suffix}
    </button>
  );
}

/** A route's nodes by alias, first hop first: "atlas → fjord → bob", each name with its id on hover. */
export function NodePath({ route, aliases }: { route: Route; aliases: Aliases }) {
  return (
    <span className="path">
      {route.map((hop, i) => (
        <span key={`${hop.channel}-${hop.id}`}>
          {i > 0 && ' → '}
          <NodeName id={hop.id} aliases={aliases} />
        </span>
      ))}
    </span>
  );
}
