import { NodeDetails } from './NodeDetails';
import { SwitchNodeForm } from './SwitchNodeForm';

/** Which node Braid uses, and switching to another LND. */
export function ConnectScreen() {
  return (
    <main className="screen connect-screen" aria-labelledby="connect-heading">
      <h1 id="connect-heading">Connect</h1>
      <NodeDetails />
      <SwitchNodeForm />
    </main>
  );
}
