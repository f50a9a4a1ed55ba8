import { NodeHeader } from './components/NodeHeader';
import { Notices } from './components/Notices';
import { ScreenNav } from './components/ScreenNav';
import { ConnectScreen } from './connect/ConnectScreen';
import { HistoryScreen } from './history/HistoryScreen';
import { PayScreen } from './pay/PayScreen';
import { RebalanceScreen } from './rebalance/RebalanceScreen';
import { useUi } from './stores/ui';

export function App() {
  const screen = useUi((s) => s.screen);
  return (
    <div className="app">
      <NodeHeader />
      <ScreenNav />
      <Notices />
      {screen === 'pay' && <PayScreen />}
      {screen === 'rebalance' && <RebalanceScreen />}
      {screen === 'history' && <HistoryScreen />}
      {screen === 'connect' && <ConnectScreen />}
    </div>
  );
}
