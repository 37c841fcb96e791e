// Driver placeholders (`?`, `%s`, `:name`, `@name`, psycopg's `{}`) do not hide a query from the lint.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkOwnership } from '../../src/commands/check-ownership.js';
import type { Finding } from '../../src/core/types.js';

const fixture = path.resolve(__dirname, '../fixtures/ownership/placeholders');
const key = (f: Finding) => `${f.rule} ${f.severity} ${f.file}:${f.line}:${f.column} ${f.table} ${f.owner}`;

describe('placeholders in SQL strings', () => {
  it('checks `?`, `%s`, `:name` and `@name` SQL alike: each cross-service access is an error at the table name', async () => {
    const result = await checkOwnership({ cwd: fixture, profile: 'dev' });
    expect(
      result.findings
        .filter((f) => f.severity === 'error')
        .map(key)
        .sort(),
    ).toEqual([
      'cross-service-read error internal/billing/app/repo.py:10:36 orders orders', // %s
      'cross-service-read error internal/billing/app/repo.py:15:47 orders orders', // :name beside ::cast
      'cross-service-read error internal/billing/app/repo.py:6:44 orders orders', // ?
      'cross-service-read error internal/billing/app/reports.py:14:44 orders orders', // sql.SQL {} → sql.Literal
      'cross-service-read error internal/billing/app/reports.py:4:56 orders orders', // in a WITH-only fragment
      'cross-service-write error internal/billing/app/repo.ts:5:43 orders orders', // @name
    ]);
    // the service's own `?` query is checked too: no unparsable-sql warning for it
    expect(result.findings.some((f) => f.rule === 'unparsable-sql')).toBe(false);
  });

  it('says a table name given as a placeholder (`FROM {}` with sql.Identifier) is dynamic, not unparsable; a CTE fragment is no warning', async () => {
    const result = await checkOwnership({ cwd: fixture, profile: 'dev' });
    const warnings = result.findings.filter((f) => f.severity !== 'error').map((f) => `${f.rule} ${f.file}:${f.line}`);
    expect(warnings).toEqual(['dynamic-sql internal/billing/app/reports.py:19']);
  });
});
