// The order findings are reported in, by both lints (check-ownership and check-migrations):
// by service, file, position, then rule.
import type { Finding } from './types.js';

export function compareFindings(a: Finding, b: Finding): number {
  return (
    compareText(a.service ?? '', b.service ?? '') ||
    compareText(a.file, b.file) ||
    a.line - b.line ||
    a.column - b.column ||
    compareText(a.rule, b.rule)
  );
}

// `localeCompare` in English order, without loading ICU's collator (10–15 ms on the first
// call, more than sorting a whole lint's findings) for the names findings are made of:
// lowercase letters, digits and `_ - . /` compare character by character in the collator's
// own order (punctuation, then digits, then letters); anything else goes to the collator.
// One fixed locale, so that the order is the same on every machine.
const ORDER = '_-./0123456789abcdefghijklmnopqrstuvwxyz';
const WEIGHT = new Int8Array(128).fill(-1);
for (let i = 0; i < ORDER.length; i++) WEIGHT[ORDER.charCodeAt(i)] = i;
let collator: Intl.Collator | null = null;

/** Orders like `a.localeCompare(b, 'en')`. */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  if (plain(a) && plain(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const d = WEIGHT[a.charCodeAt(i)] - WEIGHT[b.charCodeAt(i)];
      if (d !== 0) return d;
    }
    return a.length - b.length; // a prefix comes first
  }
  collator ??= new Intl.Collator('en');
  return collator.compare(a, b);
}

function plain(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || WEIGHT[c] < 0) return false;
  }
  return true;
}
