/**
 * Go's time.Time.String() for a UTC time, as LND's error texts print times: `2026-12-07 05:46:09 +0000 UTC`
 * (whole seconds; Go adds a fraction only when there is one, and LND's invoice times have none).
 */
export function goTimeString(unixSeconds: number): string {
  const iso = new Date(unixSeconds * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} +0000 UTC`;
}
