import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../shared/api/errors';
import { FAILURE_CODES } from '../shared/failures';
import type { Route } from '../shared/types';
import { errorProblem, failureProblem } from './messages';
import { hopWords, resolveNodes, withNames } from './names';
import { ConfirmView, confirmText } from './pay/ConfirmDialog';

// The Pay screen's words: failures and errors with aliases, in sat, the code kept for the details line; the
// confirmation before real money leaves; node names from aliases and ids.

const COBALT = `02${'c0'.repeat(32)}`;
const HARBOR = `03${'ab'.repeat(32)}`;
const BOB = `02${'b0'.repeat(32)}`;
const ALIASES = { [COBALT]: 'cobalt', [HARBOR]: 'harbor', [BOB]: 'bob' };

const ROUTE: Route = [
  { id: COBALT, channel: '1x1x0', msatoshi: 100_002_000n, delay: 200 },
  { id: HARBOR, channel: '2x1x0', msatoshi: 100_001_000n, delay: 160 },
  { id: BOB, channel: '3x1x0', msatoshi: 100_000_000n, delay: 43 },
];

describe('failure words', () => {
  it('names the hop that lacked liquidity and the next one by alias, the amount in sat', () => {
    const p = failureProblem(
      { code: 'TEMPORARY_CHANNEL_FAILURE', message: `insufficient balance at ${HARBOR}`, erring_index: 2 },
      ROUTE,
      ALIASES,
    );
    expect(p.what).toBe(
      'harbor could not pass 100,000 sat on to bob: not enough liquidity on its side of the channel right now.',
    );
    expect(p.action).toMatch(/another way/);
    expect(failureProblem({ code: 'TEMPORARY_CHANNEL_FAILURE', message: '' }, ROUTE, ALIASES, 'auto').action).toBe(
      'The node sends this amount another way.',
    );
    expect(failureProblem({ code: 'TEMPORARY_CHANNEL_FAILURE', message: '' }, ROUTE, ALIASES, 'manual').action).toMatch(
      /^Manual mode: re-plan the missing amount/,
    );
    expect(p.details).toBe('TEMPORARY_CHANNEL_FAILURE: insufficient balance at harbor');
    expect(p.final).toBe(false);
  });

  it('says a refusal by the receiver is final and offers nothing to re-route', () => {
    for (const code of ['INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS', 'FINAL_EXPIRY_TOO_SOON'] as const) {
      const p = failureProblem({ code, message: 'x', erring_index: 3 }, ROUTE, ALIASES);
      expect(p.what, code).toMatch(/^bob refused the payment/);
      expect(p.action, code).toMatch(/Nothing more will be sent/);
      expect(p.action, code).not.toMatch(/re-plan|another way/);
      expect(p.final, code).toBe(true);
    }
  });

  it('has words for every code of the closed union, never an id', () => {
    for (const code of FAILURE_CODES) {
      const p = failureProblem({ code, message: `from ${COBALT}`, erring_index: 1 }, ROUTE, ALIASES);
      expect(p.what.length, code).toBeGreaterThan(10);
      expect(p.action.length, code).toBeGreaterThan(10);
      expect(`${p.what} ${p.action} ${p.details}`, code).not.toMatch(/0[23][0-9a-f]{64}/);
      expect(p.details, code).toContain(code);
    }
  });

  it('names our own node when it refused the part', () => {
    const p = failureProblem(
      { code: 'NODE_REFUSED', message: 'insufficient local balance', erring_index: 0 },
      ROUTE,
      ALIASES,
    );
    expect(p.what).toMatch(/^Your node refused to send this part of 100,000 sat/);
  });
});

describe('error words', () => {
  it('turns a refused plan field into the part number the table shows', () => {
    const p = errorProblem({ code: ErrorCode.InvalidParams, message: 'plan[2].route: would overpay by 5 sat' }, {});
    expect(p.what).toBe('Part 3: would overpay by 5 sat');
    expect(p.details).toBe('code -32602: plan[2].route: would overpay by 5 sat');
  });

  it('says a 203 is final, a 210 can be re-planned and a 212 was the user stopping', () => {
    expect(errorProblem({ code: ErrorCode.DestinationRefused, message: 'expired' }, {}).final).toBe(true);
    const gaveUp = errorProblem({ code: ErrorCode.PayGaveUp, message: `no route to ${BOB} for 46,267 sat` }, ALIASES);
    expect(gaveUp.what).toBe('No route to bob for 46,267 sat');
    expect(gaveUp.action).toMatch(/re-plan the missing amount/);
    expect(gaveUp.final).toBeFalsy();
    expect(errorProblem({ code: ErrorCode.PayStopped, message: 'stopped' }, {}).what).toMatch(
      /no new parts will leave/,
    );
    expect(errorProblem({ code: -1, message: 'node not connected' }, {}).action).toMatch(/connection/);
  });
});

describe('the confirmation before real money leaves', () => {
  const facts = {
    amount: 900_000_000n,
    receiver: 'bob',
    feeLimit: 4_500_000n,
    parts: 3,
    maxParts: 8,
    mode: 'auto' as const,
  };

  it('states the amount, the total fee limit and the number of parts', () => {
    const { title, lines } = confirmText(facts);
    expect(title).toBe('Send 900,000 sat to bob?');
    expect(lines[0]).toBe('Fees: at most 4,500 sat in total, for all parts.');
    expect(lines[1]).toMatch(/^3 parts first/);
    expect(confirmText({ ...facts, mode: 'manual', parts: 1 }).lines[1]).toBe(
      '1 part, exactly as planned; nothing is re-planned.',
    );
  });

  it('renders as one dialog with Confirm and Cancel', () => {
    const html = renderToStaticMarkup(createElement(ConfirmView, { facts, onConfirm() {}, onCancel() {} }));
    expect(html).toContain('role="alertdialog"');
    expect(html).toContain('aria-label="Confirm payment"');
    expect(html).toContain('Send 900,000 sat to bob?');
    expect(html).toContain('at most 4,500 sat');
    expect(html).toContain('>Confirm and send</button>');
    expect(html).toContain('>Cancel</button>');
  });
});

describe('names', () => {
  it('replaces ids in a text by aliases, unknown ones by a short id', () => {
    expect(withNames(`no channel from ${COBALT} to ${`02${'99'.repeat(32)}`}`, ALIASES)).toBe(
      'no channel from cobalt to 0299999999…',
    );
    // Ids the core shortened, too, when one known node has that prefix.
    expect(withNames(`at hop 2 (${HARBOR.slice(0, 10)}… → ${BOB.slice(0, 10)}…)`, ALIASES)).toBe(
      'at hop 2 (harbor → bob)',
    );
  });

  it('reads hops as ids or aliases, split by spaces, commas or arrows, and says which word is unknown', async () => {
    expect(hopWords('cobalt -> harbor, bob → x')).toEqual(['cobalt', 'harbor', 'bob', 'x']);
    const lookup = async (alias: string) =>
      Object.entries(ALIASES)
        .filter(([, a]) => a === alias.toLowerCase())
        .map(([id]) => id);
    expect(await resolveNodes(`Cobalt ${HARBOR.toUpperCase()}`, lookup)).toEqual({ ids: [COBALT, HARBOR] });
    expect(await resolveNodes('cobalt iris', lookup)).toEqual({ unknown: 'iris' });
    expect(await resolveNodes('twin', async () => [COBALT, HARBOR])).toEqual({
      ambiguous: 'twin',
      ids: [COBALT, HARBOR],
    });
  });
});
