import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The window's Content-Security-Policy lives in renderer/index.html; vite.config.ts relaxes it for the dev
// server only. Guard the shipped policy against loosening.
const html = readFileSync(new URL('../renderer/index.html', import.meta.url), 'utf8');
const policy = /http-equiv="Content-Security-Policy"\s+content="([^"]*)"/.exec(html)?.[1];

describe('renderer CSP', () => {
  it('is the strict policy', () => {
    expect(policy).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self' ws://127.0.0.1:*; img-src 'self' data:",
    );
  });
});
