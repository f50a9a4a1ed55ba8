import { formatMsat } from '../format';
import { connectionText, useNode } from '../stores/node';

/** The node in use, in full. */
export function NodeDetails() {
  const info = useNode((s) => s.info);
  const infoError = useNode((s) => s.infoError);
  const connection = useNode((s) => s.connection);
  const channels = useNode((s) => s.channels);
  const refreshInfo = useNode((s) => s.refreshInfo);
  const refreshChannels = useNode((s) => s.refreshChannels);
  const local = channels.reduce((sum, c) => sum + (c.active ? c.local_msatoshi : 0n), 0n);
  return (
    <section className="node-details" aria-labelledby="node-details-heading">
      <h2 id="node-details-heading">Node in use</h2>
      {infoError && (
        <p role="alert" className="error">
          The node does not answer: {infoError}
        </p>
      )}
      {info && (
        <dl>
          <div>
            <dt>Alias</dt>
            <dd>{info.alias || 'no alias'}</dd>
          </div>
          <div>
            <dt>Id</dt>
            <dd>
              <code>{info.id}</code>
            </dd>
          </div>
          <div>
            <dt>Network</dt>
            <dd>
              {info.network}
              {info.simulated && ' (embedded and simulated: payments here move no real money)'}
            </dd>
          </div>
          <div>
            <dt>Block height</dt>
            <dd>{info.blockheight.toLocaleString('en-US')}</dd>
          </div>
          <div>
            <dt>Connection</dt>
            <dd>{connectionText(connection)}</dd>
          </div>
          <div>
            <dt>Channels</dt>
            <dd>
              {info.num_active_channels} active, {formatMsat(local)} to spend
            </dd>
          </div>
          <div>
            <dt>Version</dt>
            <dd>{info.version}</dd>
          </div>
        </dl>
      )}
      <button
        type="button"
        onClick={() => {
          void refreshInfo();
          void refreshChannels();
        }}
      >
        Refresh node
      </button>
    </section>
  );
}
