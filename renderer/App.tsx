export function App() {
  return (
    <main className="app">
      <h1>Braid</h1>
      <p className="note">Under construction.</p>
    </main>
  );
}
