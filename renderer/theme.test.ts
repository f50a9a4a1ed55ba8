import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// WCAG 2.x AA contrast of the themes (styles.css): 4.5:1 for text, on both the page and the panels, in light and
// dark. The colours are read from the stylesheet itself, so a change there is checked here.

const css = readFileSync(new URL('./styles.css', import.meta.url), 'utf8');

function variables(block: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of block.matchAll(/--([\w-]+):\s*(#[0-9a-f]{6})\s*;/gi)) out[m[1] as string] = m[2] as string;
  return out;
}

const light = variables(css.slice(css.indexOf(':root {'), css.indexOf('}', css.indexOf(':root {'))));
const darkStart = css.indexOf('@media (prefers-color-scheme: dark)');
const dark = { ...light, ...variables(css.slice(darkStart, css.indexOf('}', css.indexOf(':root {', darkStart)))) };

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p) as [number, number];
  return (x + 0.05) / (y + 0.05);
}

/** [text, background]: every pair the screens draw text with. */
const PAIRS: [string, string][] = [
  ['fg', 'bg'],
  ['fg', 'panel'],
  ['muted', 'bg'],
  ['muted', 'panel'],
  ['accent', 'panel'],
  ['on-accent', 'accent'],
  ['on-sim', 'sim'],
  ...['planned', 'pending', 'held', 'complete', 'failed'].flatMap((s): [string, string][] => [
    [s, 'panel'],
    [s, 'bg'],
  ]),
];

describe('theme contrast (WCAG AA)', () => {
  for (const [name, theme] of [
    ['light', light],
    ['dark', dark],
  ] as const) {
    it(`${name}: every text colour on its backgrounds is at least 4.5:1`, () => {
      const low = PAIRS.map(([text, bg]) => ({
        pair: `${text} on ${bg}`,
        ratio: contrast(theme[text] ?? 'missing', theme[bg] ?? 'missing'),
      })).filter((p) => !(p.ratio >= 4.5));
      expect(low).toEqual([]);
    });
  }
  it('reads both themes from the stylesheet', () => {
    expect(Object.keys(light).length).toBeGreaterThan(10);
    expect(dark.bg).not.toBe(light.bg);
  });
});
