// RFC 4180 fields with a guard against formula injection, for the CSV export (export-csv.ts).

/** Text a spreadsheet would take for a formula (OWASP "CSV injection"). Only text cells: numbers are never guarded. */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export type Cell = string | bigint | number | undefined;

/** One RFC 4180 field. */
export function csvCell(value: Cell): string {
  if (value === undefined) return '';
  if (typeof value !== 'string') return value.toString();
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** True when `text` is a field as it stands: csvCell(text) === text. */
export function csvPlain(text: string): boolean {
  return !FORMULA_START.test(text) && !NEEDS_QUOTES.test(text);
}
