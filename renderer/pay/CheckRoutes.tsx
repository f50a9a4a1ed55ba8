import { useState } from 'react';
import type { ProbeResult } from '../../shared/api/rebalance';
import type { Route } from '../../shared/types';
import { api, errorText } from '../stores/api';
import { usePlanner } from '../stores/planner';
import type { PayView } from './view';

/**
 * "Check routes" (issue 16): probes the planned parts with random payment hashes (nothing is paid, nothing is
 * recorded) and marks each as would-succeed or would-fail at a hop; the planner learns from it, so "Propose again"
 * plans around what failed.
 */
export function CheckRoutes({ view }: { view: PayView }) {
  const bolt11 = usePlanner((s) => s.bolt11);
  const propose = usePlanner((s) => s.propose);
  const [busy, setBusy] = useState(false);
  const [checked, setChecked] = useState<{ numbers: number[]; result: ProbeResult } | undefined>();
  const [error, setError] = useState<string | undefined>();
  const planned = view.planned.filter((r): r is typeof r & { route: Route } => (r.route?.length ?? 0) > 0);
  if (!bolt11 || planned.length === 0 || view.payment?.status === 'complete') return null;
  const check = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const result = await api().call('probe', { bolt11, parts: planned.map((r) => ({ route: r.route })) });
      setChecked({ numbers: planned.map((r) => r.number), result });
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="check-routes" aria-label="Check routes">
      <div className="toolbar">
        <button type="button" disabled={busy} onClick={() => void check()}>
          {busy ? 'Checking…' : 'Check routes'}
        </button>
        {checked && checked.result.would_fail > 0 && (
          <button type="button" onClick={() => void propose().then(() => setChecked(undefined))}>
            Propose again around what failed
          </button>
        )}
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {checked && (
        <ul className="probe-results">
          {checked.result.parts.map((p, i) => (
            <li key={checked.numbers[i]} data-outcome={p.outcome}>
              {`Part ${checked.numbers[i]}: `}
              {p.outcome === 'would-succeed' ? 'would get through' : `would fail: ${p.failure.message}`}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
