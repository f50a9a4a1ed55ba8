import { connectionText, useNode } from '../stores/node';

/** The banner: which node is in use, at a glance. */
export function NodeHeader() {
  const info = useNode((s) => s.info);
  const infoError = useNode((s) => s.infoError);
  const connection = useNode((s) => s.connection);
  const transportError = useNode((s) => s.transportError);
  return (
    <header className="node-header">
      <span className="brand">Braid</span>
      {info ? (
        <dl className="node-summary" aria-label="Node in use">
          <div>
            <dt>Node</dt>
            <dd className="node-alias">{info.alias || 'no alias'}</dd>
          </div>
          <div className="node-id-item">
            <dt>Id</dt>
            <dd>
              <code className="node-id" title={info.id}>
                {info.id}
              </code>
            </dd>
          </div>
          <div>
            <dt>Network</dt>
            <dd>{info.network}</dd>
          </div>
          <div>
            <dt>Block</dt>
            <dd>{info.blockheight.toLocaleString('en-US')}</dd>
          </div>
          <div>
            <dt>Connection</dt>
            <dd className={`connection connection--${connection}`}>{connectionText(connection)}</dd>
          </div>
        </dl>
      ) : (
        <p className="node-summary">{infoError ? `Node unavailable: ${infoError}` : 'Asking the node…'}</p>
      )}
      {info?.simulated && (
        <p role="status" className="sim-banner">
          Simulated network: no real money
        </p>
      )}
      {transportError && (
        <p role="alert" className="error">
          Lost the wallet: {transportError}. Reload the page.
        </p>
      )}
    </header>
  );
}
