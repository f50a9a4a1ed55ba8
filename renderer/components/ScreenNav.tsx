import { type Screen, useUi } from '../stores/ui';

const SCREENS: { screen: Screen; label: string }[] = [
  { screen: 'pay', label: 'Pay' },
  { screen: 'rebalance', label: 'Rebalance' },
  { screen: 'history', label: 'History' },
  { screen: 'connect', label: 'Connect' },
];

/** The screens: Pay, Rebalance, History, Connect. */
export function ScreenNav() {
  const current = useUi((s) => s.screen);
  const show = useUi((s) => s.show);
  return (
    <nav className="screen-nav" aria-label="Screens">
      {SCREENS.map(({ screen, label }) => (
        <button
          key={screen}
          type="button"
          className="nav-button"
          aria-current={current === screen ? 'page' : undefined}
          onClick={() => show(screen)}
        >
          {label}
        </button>
      ))}
    </nav>
  );
}
