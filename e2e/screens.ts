// Checks of the screens' layout, the picture of a payment and keyboard use, shared by the end-to-end tests: what a
// person sees (the page's geometry in Chromium) and reaches by keyboard alone.

import type { Locator, Page } from 'playwright-core';
import { accName } from './ui';

/** The page's horizontal overflow in px: 0 when nothing makes it scroll sideways. */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => {
    const root = document.documentElement;
    return Math.max(root.scrollWidth, document.body.scrollWidth) - root.clientWidth;
  });
}

/**
 * Every button inside `scope`: scrolled into view, wholly inside the viewport's width, not covered by anything else
 * (Playwright's actionability checks, by a trial click). Returns how many were checked; throws naming the first
 * that fails.
 */
export async function checkButtonsClickable(page: Page, scope: Locator): Promise<number> {
  const width = page.viewportSize()?.width ?? 0;
  const buttons = await scope.getByRole('button').all();
  for (const button of buttons) {
    if (!(await button.isVisible())) continue;
    const name = (await button.getAttribute('aria-label')) ?? ((await button.textContent()) ?? '').trim();
    await button.scrollIntoViewIfNeeded();
    const box = await button.boundingBox();
    if (!box) throw new Error(`button "${name}" has no box`);
    if (box.x < 0 || box.x + box.width > width + 0.5) {
      throw new Error(`button "${name}" is clipped: x ${box.x}..${box.x + box.width} of ${width}`);
    }
    if (await button.isEnabled()) await button.click({ trial: true, timeout: 5_000 });
  }
  return buttons.length;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Pairs of boxes (top-left based) that overlap by more than `slack` px each way. */
export function overlapping<T extends Box>(boxes: readonly (T & { label: string })[], slack = 0.5): string[] {
  const out: string[] = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i] as T & { label: string };
      const b = boxes[j] as T & { label: string };
      const x = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
      const y = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
      if (x > slack && y > slack) out.push(`${a.label} / ${b.label}`);
    }
  }
  return out;
}

export interface PictureLabels {
  /** From the layout's own coordinates (data-box: centre x, y, width, height), in the SVG's units. */
  layout: (Box & { label: string })[];
  /** The texts as drawn (getBBox), in the SVG's units. */
  texts: (Box & { label: string; fits: boolean })[];
  /** Node names shown, in order. */
  names: string[];
  /** Part numbers on chips, with their states. */
  chips: { part: number; state: string }[];
}

/** The labels of a payment's picture (the SVG named `name`). */
export async function pictureLabels(page: Page, name: string): Promise<PictureLabels> {
  const svg = page.getByRole('img', { name, exact: true });
  return svg.evaluate((el) => {
    const layout: (Box & { label: string })[] = [];
    for (const g of el.querySelectorAll('[data-box]')) {
      const [cx, cy, w, h] = (g.getAttribute('data-box') ?? '').split(',').map(Number) as number[];
      const label = g.getAttribute('data-node') ?? `chips ${g.textContent}`;
      layout.push({
        x: (cx as number) - (w as number) / 2,
        y: (cy as number) - (h as number) / 2,
        width: w as number,
        height: h as number,
        label,
      });
    }
    const texts: (Box & { label: string; fits: boolean })[] = [];
    for (const t of el.querySelectorAll('text')) {
      const b = (t as SVGTextElement).getBBox();
      const rect = t.parentElement?.querySelector('rect')?.getBBox();
      const fits =
        rect !== undefined &&
        b.x >= rect.x - 0.5 &&
        b.x + b.width <= rect.x + rect.width + 0.5 &&
        b.y >= rect.y - 2 &&
        b.y + b.height <= rect.y + rect.height + 2;
      texts.push({ x: b.x, y: b.y, width: b.width, height: b.height, label: t.textContent ?? '', fits });
    }
    const names = [...el.querySelectorAll('.node text')].map((t) => t.textContent ?? '');
    const chips = [...el.querySelectorAll('.chip')].map((c) => ({
      part: Number(c.getAttribute('data-part')),
      state: c.getAttribute('data-state') ?? '',
    }));
    return { layout, texts, names, chips };
  });
}

/**
 * Presses Tab until the focused element's accessible name (aria-label, its label, or its text) matches `name`;
 * returns how many presses it took. Keyboard only: nothing is clicked.
 */
export async function tabTo(page: Page, name: string | RegExp, max = 80): Promise<number> {
  for (let i = 1; i <= max; i++) {
    await page.keyboard.press('Tab');
    const focused = await focusedName(page);
    if (typeof name === 'string' ? focused === name : name.test(focused)) return i;
  }
  throw new Error(`no control named ${name} within ${max} Tab presses`);
}

/** The focused element's accessible name, as a screen reader would start to read it; '' when nothing is focused. */
export async function focusedName(page: Page): Promise<string> {
  const focused = page.locator(':focus');
  if ((await focused.count()) === 0) return '';
  return accName(focused.first());
}
