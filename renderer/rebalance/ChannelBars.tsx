import type { ChannelInfo } from '../../shared/api/results';
import { formatMsat } from '../format';
import { type Aliases, peerName } from '../names';
import { type Role, useRebalance } from './store';

/** Local share of a channel's capacity, 0..1. */
export function localRatio(c: Pick<ChannelInfo, 'local_msatoshi' | 'capacity_msatoshi'>): number {
  return c.capacity_msatoshi > 0n ? Number((c.local_msatoshi * 10_000n) / c.capacity_msatoshi) / 10_000 : 0;
}

/** Our channels: local and remote balance as a bar, the ratio, and whether each is a source, a target or neither. */
export function ChannelBars({ channels, aliases }: { channels: ChannelInfo[]; aliases: Aliases }) {
  const sources = useRebalance((s) => s.sources);
  const targets = useRebalance((s) => s.targets);
  const setRole = useRebalance((s) => s.setRole);
  const busy = useRebalance((s) => s.sending);
  return (
    <table className="channel-bars">
      <caption>Our channels</caption>
      <thead>
        <tr>
          <th scope="col">Peer</th>
          <th scope="col">Channel</th>
          <th scope="col">Local / remote</th>
          <th scope="col">Local share</th>
          <th scope="col">Role</th>
        </tr>
      </thead>
      <tbody>
        {channels.map((c) => {
          const ratio = localRatio(c);
          const role: Role | undefined = sources.includes(c.channel)
            ? 'source'
            : targets.includes(c.channel)
              ? 'target'
              : undefined;
          const name = peerName(c, aliases);
          return (
            <tr key={c.channel} data-channel={c.channel} data-role={role ?? 'none'}>
              <th scope="row">{name}</th>
              <td className="mono">{c.channel}</td>
              <td>
                <div
                  className="balance-bar"
                  role="img"
                  aria-label={`${name}: ${formatMsat(c.local_msatoshi)} local, ${formatMsat(c.remote_msatoshi)} remote`}
                >
                  <span className="balance-bar__local" style={{ width: `${(ratio * 100).toFixed(1)}%` }} />
                </div>
                <span className="note">
                  {formatMsat(c.local_msatoshi)} / {formatMsat(c.remote_msatoshi)}
                </span>
              </td>
              <td className="ratio">{`${Math.round(ratio * 100)}%`}</td>
              <td>
                <select
                  aria-label={`Role of ${name} (${c.channel})`}
                  value={role ?? ''}
                  disabled={busy || !c.active}
                  onChange={(e) => setRole(c.channel, (e.target.value || undefined) as Role | undefined)}
                >
                  <option value="">—</option>
                  <option value="source">source (out)</option>
                  <option value="target">target (in)</option>
                </select>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
