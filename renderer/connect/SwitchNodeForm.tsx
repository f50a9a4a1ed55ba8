import { type FormEvent, useState } from 'react';
import { errorText } from '../stores/api';

/** What the form gathered, checked: an lndconnect URI, or a host with its certificate and macaroon files. */
export type NodeChoice =
  | { kind: 'lndconnect'; uri: string }
  | { kind: 'lnd'; host: string; cert: File; macaroon: File };

/** Checks the form's fields; returns the choice or what is wrong, in words. */
export function checkNodeChoice(fields: {
  uri: string;
  host: string;
  cert?: File;
  macaroon?: File;
}): NodeChoice | { error: string } {
  const uri = fields.uri.trim();
  const host = fields.host.trim();
  if (uri !== '') {
    if (host !== '' || fields.cert || fields.macaroon) {
      return { error: 'Give either an lndconnect URI or a host with its files, not both.' };
    }
    if (!/^lndconnect:\/\//i.test(uri)) return { error: 'That is not an lndconnect URI: it starts with lndconnect://' };
    let parsed: URL;
    try {
      parsed = new URL(uri.replace(/^lndconnect:/i, 'http:'));
    } catch {
      return { error: 'That lndconnect URI cannot be read: check it was copied whole.' };
    }
    if (!parsed.hostname) return { error: 'The lndconnect URI names no host.' };
    if (!parsed.searchParams.get('macaroon')) return { error: 'The lndconnect URI has no macaroon.' };
    return { kind: 'lndconnect', uri };
  }
  if (host === '' && !fields.cert && !fields.macaroon) {
    return { error: 'Give an lndconnect URI, or the node’s host with its TLS certificate and macaroon files.' };
  }
  if (host === '') return { error: 'Give the node’s host, for example 127.0.0.1:10009.' };
  if (!/^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(host)) {
    return { error: `The host “${host}” should be a name or address and a port, for example 127.0.0.1:10009.` };
  }
  if (!fields.cert) return { error: 'Choose the node’s TLS certificate file (tls.cert).' };
  if (!fields.macaroon) return { error: 'Choose a macaroon file (admin.macaroon).' };
  return { kind: 'lnd', host, cert: fields.cert, macaroon: fields.macaroon };
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function base64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const DESKTOP_ONLY =
  'Switching nodes is available in the desktop app. This page stays on the node it was started with ' +
  '(npm run dev:web -- --lndconnect URI starts it on another).';

/** Saves the node as a connection profile and switches to it: in the desktop app only. */
async function switchNode(choice: NodeChoice): Promise<string> {
  const settings = globalThis.window?.braid?.settings;
  if (!settings) throw new Error(DESKTOP_ONLY);
  const before = new Set((await settings.get()).profiles.map((p) => p.id));
  let view: Awaited<ReturnType<typeof settings.get>>;
  if (choice.kind === 'lndconnect') {
    view = await settings.saveProfile({ name: 'My LND', kind: 'lndconnect', uri: choice.uri });
  } else {
    const certBytes = new Uint8Array(await choice.cert.arrayBuffer());
    const certText = new TextDecoder('latin1').decode(certBytes);
    const cert = certText.includes('-----BEGIN') ? certText : base64url(certBytes);
    const macaroon = hex(new Uint8Array(await choice.macaroon.arrayBuffer()));
    view = await settings.saveProfile({ name: choice.host, kind: 'lnd', host: choice.host, cert, macaroon });
  }
  const added = view.profiles.find((p) => !before.has(p.id));
  if (!added) throw new Error('The profile was not saved.');
  await settings.activateProfile(added.id);
  return `Switching to ${'host' in added ? added.host : added.name}: Braid restarts on it.`;
}

/** Switch to an LND by lndconnect URI, or by host, certificate and macaroon. */
export function SwitchNodeForm() {
  const [uri, setUri] = useState('');
  const [host, setHost] = useState('');
  const [cert, setCert] = useState<File>();
  const [macaroon, setMacaroon] = useState<File>();
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setDone(undefined);
    const choice = checkNodeChoice({ uri, host, cert, macaroon });
    const plausible = /^lndconnect:\/\//i.test(uri.trim()) || host.trim() !== '' || cert || macaroon;
    if (!globalThis.window?.braid?.settings && plausible) {
      // Outside the desktop app nothing can be switched; say so first, and what else is wrong.
      setError('error' in choice ? `${DESKTOP_ONLY} Also: ${choice.error}` : DESKTOP_ONLY);
      return;
    }
    if ('error' in choice) {
      setError(choice.error);
      return;
    }
    setBusy(true);
    try {
      setDone(await switchNode(choice));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="switch-node" aria-labelledby="switch-heading" onSubmit={(e) => void submit(e)}>
      <h2 id="switch-heading">Use your own LND</h2>
      <div className="field">
        <label htmlFor="lndconnect">lndconnect URI</label>
        <input
          id="lndconnect"
          value={uri}
          spellCheck={false}
          autoComplete="off"
          placeholder="lndconnect://host:10009?cert=…&macaroon=…"
          onChange={(e) => setUri(e.target.value)}
        />
      </div>
      <p className="note">or</p>
      <div className="field-grid">
        <div className="field">
          <label htmlFor="lnd-host">Host</label>
          <input
            id="lnd-host"
            value={host}
            placeholder="127.0.0.1:10009"
            autoComplete="off"
            onChange={(e) => setHost(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="lnd-cert">TLS certificate</label>
          <input id="lnd-cert" type="file" onChange={(e) => setCert(e.target.files?.[0])} />
        </div>
        <div className="field">
          <label htmlFor="lnd-macaroon">Macaroon</label>
          <input id="lnd-macaroon" type="file" onChange={(e) => setMacaroon(e.target.files?.[0])} />
        </div>
      </div>
      <button type="submit" className="primary" disabled={busy}>
        Connect
      </button>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {done && (
        <p role="status" className="ok">
          {done}
        </p>
      )}
    </form>
  );
}
