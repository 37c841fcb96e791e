// The order both lints print findings in: English collation, the same on every machine, without
// loading ICU's collator for plain names (it costs more than the sort).
import { describe, expect, it } from 'vitest';
import { compareText } from '../../src/core/findings.js';

describe('compareText', () => {
  const names = [
    'internal/billing/migrations/010_add_index.sql',
    'internal/billing/migrations/010-add-index.sql',
    'internal/billing/migrations/010.add.sql',
    'internal/billing/migrations/0010_x.sql',
    'internal/billing/migrations/01_x.sql',
    'internal/billing/migrations/V1__Init.sql',
    'internal/billing/migrations/v1__init.sql',
    'internal/billing-api/migrations/001_x.sql',
    'internal/billing_api/migrations/001_x.sql',
    'internal/bïlling/migrations/001_x.sql',
    'adding-field-with-default',
    'adding-foreign-key-constraint',
    'ban-drop-column',
    '',
  ];

  it('orders like localeCompare in English, plain names or not', () => {
    const collator = new Intl.Collator('en');
    for (const a of names)
      for (const b of names)
        expect(Math.sign(compareText(a, b)), `${a} vs ${b}`).toBe(Math.sign(collator.compare(a, b)));
  });
});
