// The exports' text as bytes: each JS string they write holds the UTF-8 bytes of its text, one character (0–255)
// a byte. Such a string is copied into the file's buffer as it is (Buffer.write as latin1, a plain copy), where a JS
// string of any text would be encoded to UTF-8 on the way, and encoding cost more than making the rows: worse for a
// string holding any character past Latin-1 (a route's arrows, an alias's emoji), which JS keeps at two bytes a
// character. ASCII text is its own bytes: hex ids, digits, the formats' fixed words. Text the ledger does not check
// (descriptions, invoices, failure messages, node names) goes through utf8Bytes once. Loaded by the export worker
// (export-worker.ts): no imports.

/** A string holding the UTF-8 bytes of a text, one character a byte (see above). */
export type ByteText = string & { readonly __utf8Bytes: true };

/** Any UTF-16 code unit past ASCII (surrogates included). */
const NON_ASCII = /[\u0080-\uffff]/;

/** `text`'s UTF-8 bytes, one character a byte. A lone surrogate becomes U+FFFD, as Buffer's UTF-8 encoding has it. */
export function utf8Bytes(text: string): ByteText {
  return (NON_ASCII.test(text) ? Buffer.from(text, 'utf8').toString('latin1') : text) as ByteText;
}

/**
 * `text` as it stands, known to be bytes already: made only of ASCII (hex checked by the ledger, digits, fixed words)
 * and of ByteText. Each use says why.
 */
export function asBytes(text: string): ByteText {
  return text as ByteText;
}
