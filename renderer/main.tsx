import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { pickTransport } from './api';
import { boot } from './boot';
import './styles.css';

const container = document.getElementById('root');
if (!container) throw new Error('renderer/index.html has no #root element');

let problem: string | undefined;
try {
  boot(pickTransport());
} catch (error) {
  problem = error instanceof Error ? error.message : String(error);
}

createRoot(container).render(
  <StrictMode>
    {problem ? (
      <main className="screen">
        <h1>Braid</h1>
        <p role="alert" className="error">
          {problem}
        </p>
      </main>
    ) : (
      <App />
    )}
  </StrictMode>,
);
