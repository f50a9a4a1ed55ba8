// Steps on Braid's screens, reached only by the UI contract's accessible names (roles, labels, texts): what a person
// using a screen reader would find. Shared by the end-to-end tests and bench:ui.

import { createHash } from 'node:crypto';
import type { Locator, Page } from 'playwright-core';
import { goTo, poll } from './browser';

export type PartStatus = 'planned' | 'pending' | 'complete' | 'failed';

export const partStatus = (page: Page, n: number): Locator =>
  page.getByRole('status', { name: `Part ${n} status`, exact: true });

export const partAmount = (page: Page, n: number): Locator =>
  page.getByRole('textbox', { name: `Part ${n} amount (sat)`, exact: true });

export const partChannel = (page: Page, n: number): Locator =>
  page.getByRole('combobox', { name: `Part ${n} channel`, exact: true });

export const partFailure = (page: Page, n: number): Locator =>
  page
    .getByRole('cell', { name: `Part ${n} failure`, exact: true })
    .or(page.getByLabel(`Part ${n} failure`))
    .first();

export const partsTable = (page: Page): Locator => page.getByRole('table', { name: 'Parts', exact: true });

export const paymentResult = (page: Page): Locator => page.getByRole('status', { name: 'Payment result', exact: true });

/** The summary of the decoded invoice on the Pay screen. */
export const invoiceDetails = (page: Page): Locator =>
  page.getByRole('region', { name: 'Invoice details', exact: true });

/** History's list of payments: a grid, or a table (the UI contract allows either). */
export const paymentsList = (page: Page): Locator =>
  page
    .getByRole('grid', { name: 'Payments', exact: true })
    .or(page.getByRole('table', { name: 'Payments', exact: true }))
    .first();

/** Part N's row in the Parts table: the row holding its status cell. */
export const partRow = (page: Page, n: number): Locator => partStatus(page, n).locator('xpath=ancestor::tr[1]');

/** How many parts the planner shows: the "Part N status" cells, counted from 1 until one is missing. */
export async function partCount(page: Page): Promise<number> {
  let n = 0;
  while ((await partStatus(page, n + 1).count()) > 0) n += 1;
  return n;
}

/** Every part's status text, in order (trimmed). */
export async function partStatuses(page: Page): Promise<string[]> {
  const count = await partCount(page);
  const out: string[] = [];
  for (let n = 1; n <= count; n++) out.push(((await partStatus(page, n).textContent()) ?? '').trim());
  return out;
}

/** The payment hash of a preimage (hex): what History and the export are keyed by. */
export function hashOfPreimage(preimageHex: string): string {
  return createHash('sha256').update(Buffer.from(preimageHex, 'hex')).digest('hex');
}

/**
 * Fills the simulated network's test-invoice form and asks bob for an invoice; resolves with the BOLT11 string once
 * the Invoice box holds it and the invoice summary shows.
 */
export async function getTestInvoice(page: Page, sat: number, description: string): Promise<string> {
  await goTo(page, 'Pay');
  await page.getByRole('textbox', { name: 'Test invoice amount (sat)', exact: true }).fill(String(sat));
  await page.getByRole('textbox', { name: 'Test invoice description', exact: true }).fill(description);
  const invoice = page.getByRole('textbox', { name: 'Invoice', exact: true });
  const before = (await invoice.inputValue()).trim();
  await page.getByRole('button', { name: 'Get a test invoice', exact: true }).click();
  const bolt11 = await poll(
    () => invoice.inputValue(),
    // A new one: the box may still hold the last test invoice for a moment.
    (v) => /^ln/i.test(v.trim()) && v.trim() !== before,
    { timeoutMs: 30_000, what: 'the test invoice in the Invoice box' },
  );
  await invoiceDetails(page).waitFor({ state: 'visible' });
  return bolt11.trim();
}

/** "Left to assign: X sat" → X (sats); undefined while the text is absent. */
export async function leftToAssign(page: Page): Promise<number | undefined> {
  const text = page.getByText(/^Left to assign: /);
  if ((await text.count()) === 0) return undefined;
  const raw = ((await text.first().textContent()) ?? '').replace(/^.*Left to assign:\s*/s, '');
  const digits = raw.replace(/[^\d-]/g, '');
  return digits === '' ? undefined : Number(digits);
}

/** Waits for a proposal that assigns the whole amount (proposing one if none came by itself). */
export async function waitForProposal(page: Page, timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let proposed = false;
  while (Date.now() < deadline) {
    const count = await partCount(page);
    if (count > 0 && (await leftToAssign(page)) === 0) return count;
    if (!proposed && Date.now() > deadline - timeoutMs + 3_000) {
      // Nothing after a few seconds: ask for one.
      await page.getByRole('button', { name: 'Propose split', exact: true }).click();
      proposed = true;
    }
    await page.waitForTimeout(100);
  }
  throw new Error(`no complete proposal after ${timeoutMs} ms (parts: ${await partCount(page)})`);
}

/**
 * Picks the option of a channel combobox whose label mentions `peer`: a native <select> (its options' labels), or an
 * ARIA combobox (its listbox's options).
 */
export async function chooseChannel(page: Page, n: number, peer: string): Promise<string> {
  const box = partChannel(page, n);
  const tag = await box.evaluate((el) => el.tagName);
  if (tag === 'SELECT') {
    const options = await box
      .locator('option')
      .evaluateAll((els) =>
        els.map((el) => ({ label: (el as HTMLOptionElement).label, value: (el as HTMLOptionElement).value })),
      );
    const found = options.find((o) => o.label.toLowerCase().includes(peer));
    if (!found) throw new Error(`Part ${n} channel has no option for ${peer}: ${options.map((o) => o.label)}`);
    await box.selectOption({ value: found.value });
    return found.label;
  }
  await box.click();
  const option = page.getByRole('option', { name: new RegExp(peer, 'i') }).first();
  const label = (await option.textContent()) ?? '';
  await option.click();
  return label;
}

/**
 * Opens "Part N choose route", waits for a candidate radio ("Route via A → B …") whose name passes `want`, picks
 * it, and closes the candidates again (the same button) so that only one part's candidates are ever on screen.
 * Returns the chosen candidate's name.
 */
export async function chooseRoute(page: Page, n: number, want: (name: string) => boolean): Promise<string> {
  const toggle = page.getByRole('button', { name: `Part ${n} choose route`, exact: true });
  const radios = page.getByRole('radio', { name: /^Route via / });
  if ((await radios.count()) > 0) throw new Error(`another part's candidate routes are open`);
  await toggle.click();
  const names = async () => {
    const out: string[] = [];
    for (const radio of await radios.all())
      out.push((await radio.getAttribute('aria-label')) ?? (await accName(radio)));
    return out;
  };
  // Candidates for an earlier channel or amount may show until the new ones come.
  const found = await poll(names, (list) => list.some(want), {
    timeoutMs: 30_000,
    what: `a wanted candidate route for part ${n}`,
  });
  const index = found.findIndex(want);
  const name = found[index] as string;
  await radios.nth(index).check();
  // The row shows the chosen path (a route found for the row by itself must not replace it afterwards).
  const path = name.replace(/^Route via /, '');
  const row = partRow(page, n);
  await poll(
    async () => (await row.textContent()) ?? '',
    (text) => text.includes(path),
    { timeoutMs: 10_000, what: `part ${n}'s row to show ${path}` },
  );
  await page.waitForTimeout(500);
  if (!((await row.textContent()) ?? '').includes(path)) throw new Error(`part ${n}'s chosen route was replaced`);
  await toggle.click();
  await poll(
    () => radios.count(),
    (c) => c === 0,
    { timeoutMs: 10_000, what: `part ${n}'s candidates to close` },
  );
  return name;
}

/** An element's accessible name as Chromium computes it (via aria-label, aria-labelledby, its label or text). */
export async function accName(locator: Locator): Promise<string> {
  return locator.evaluate((el) => {
    const ariaLabel = el.getAttribute('aria-label');
    if (ariaLabel) return ariaLabel.trim();
    const labelledBy = el.getAttribute('aria-labelledby');
    if (labelledBy) {
      return labelledBy
        .split(/\s+/)
        .map((id) => document.getElementById(id)?.textContent ?? '')
        .join(' ')
        .trim();
    }
    const input = el as HTMLInputElement;
    const label = input.labels?.[0]?.textContent;
    return (label ?? el.textContent ?? '').trim();
  });
}

/** Waits until part N shows `status` (or one of several). */
export async function waitForPartStatus(
  page: Page,
  n: number,
  status: PartStatus | PartStatus[],
  timeoutMs = 60_000,
): Promise<string> {
  const wanted = Array.isArray(status) ? status : [status];
  return poll(
    async () => ((await partStatus(page, n).textContent()) ?? '').trim(),
    (s) => wanted.includes(s as PartStatus),
    { timeoutMs, intervalMs: 50, what: `Part ${n} status ${wanted.join('|')}` },
  );
}

/** The payment's preimage from the "Payment result" (readonly "Preimage" box). */
export async function preimage(page: Page): Promise<string> {
  const box = paymentResult(page).getByRole('textbox', { name: 'Preimage', exact: true });
  return (await box.inputValue()).trim();
}

/** The "Payment status" region's text ('' while absent): running, stopped, or how the payment ended and why. */
export async function paymentStatus(page: Page): Promise<string> {
  const region = page.getByRole('region', { name: 'Payment status', exact: true });
  // It goes away once the payment is complete: between the count and the read too.
  if ((await region.count()) === 0) return '';
  return ((await region.textContent({ timeout: 1_000 }).catch(() => '')) ?? '').trim();
}

/** Waits for "Payment complete" with every part settled (the other parts' outcomes follow the first preimage). */
export async function waitForComplete(page: Page, timeoutMs = 120_000): Promise<void> {
  const result = paymentResult(page);
  await poll(
    async () => {
      const done = (await result.count()) > 0 && /Payment complete/.test((await result.textContent()) ?? '');
      return done && (await partStatuses(page)).every((s) => s === 'complete' || s === 'failed');
    },
    (done) => done,
    { timeoutMs, intervalMs: 100, what: '"Payment complete" and every part settled' },
  ).catch(async (error: unknown) => {
    throw new Error(`${error instanceof Error ? error.message : error}; payment status: ${await paymentStatus(page)}`);
  });
}
