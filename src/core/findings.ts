// The order findings are reported in, by both lints (check-ownership and check-migrations):
// by service, file, position, then rule.
import type { Finding } from './types.js';

export function compareFindings(a: Finding, b: Finding): number {
  return (
    (a.service ?? '').localeCompare(b.service ?? '') ||
    a.file.localeCompare(b.file) ||
    a.line - b.line ||
    a.column - b.column ||
    a.rule.localeCompare(b.rule)
  );
}
