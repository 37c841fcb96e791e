// `svcdb check-ownership --json` on repositories that reach tables through query builders, ORMs,
// folded SQL strings and project helpers: each read and write of another service's table is
// found at the table's name, with its kind and owner; the service's own tables stay silent.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const fixtures = path.resolve(__dirname, '../fixtures/ownership');

interface JsonFinding {
  rule: string;
  severity: string;
  file: string;
  line: number;
  column: number;
  table: string | null;
  owner: string | null;
}

async function findings(fixture: string): Promise<{ exitCode: number | null; found: string[] }> {
  const r = await runCli(['check-ownership', '--cwd', path.join(fixtures, fixture), '--json']);
  expect(r.stderr).toBe('');
  const doc = JSON.parse(r.stdout) as { findings: JsonFinding[] };
  const found = doc.findings.map(
    (f) => `${f.rule} ${f.severity} ${f.file}:${f.line}:${f.column} ${f.table} ${f.owner}`,
  );
  return { exitCode: r.exitCode, found: found.sort() };
}

const CASES: Array<[string, string, string[]]> = [
  [
    'knex',
    'knex(t).…decrement() writes, .from(t).join(t2) reads; Buffer.from is no table',
    [
      'cross-service-read error services/catalog/src/products.js:17:12 stock_levels inventory',
      'cross-service-write error services/catalog/src/products.js:22:15 stock_levels inventory',
    ],
  ],
  [
    'kysely',
    'innerJoin after selectFrom reads, updateTable writes',
    [
      'cross-service-read error services/billing/src/invoices.ts:15:17 customers accounts',
      'cross-service-write error services/billing/src/invoices.ts:30:25 customers accounts',
    ],
  ],
  [
    'supabase',
    '.from(t).select() reads, .from(t).insert() writes; storage.from(bucket) is no table',
    [
      'cross-service-read error apps/profiles/src/profiles.ts:29:41 memberships teams',
      'cross-service-write error apps/profiles/src/profiles.ts:34:42 memberships teams',
    ],
  ],
  [
    'drizzle',
    'pgTable in schema.ts declares a read, the imported table joined reads, updated and deleted (through `import * as schema`) writes',
    [
      'cross-service-read error apps/shop/src/db/schema.ts:15:31 users users',
      'cross-service-read error apps/shop/src/orders.ts:14:16 users users',
      'cross-service-write error apps/shop/src/admin.ts:9:21 users users',
      'cross-service-write error apps/shop/src/orders.ts:20:19 users users',
    ],
  ],
  [
    'typeorm',
    '@Entity({ name }) declares a read, the injected repository reads and writes it',
    [
      'cross-service-read error services/shipping/src/entities/order.entity.ts:4:18 orders orders',
      'cross-service-read error services/shipping/src/shipping.service.ts:15:30 orders orders',
      'cross-service-write error services/shipping/src/shipping.service.ts:17:16 orders orders',
    ],
  ],
  [
    'prisma',
    'a model @@map-ped to another service’s table declares a read; the client writes and reads it through schema.prisma',
    [
      'cross-service-read error services/users/prisma/schema.prisma:26:10 audit_events audit',
      'cross-service-read error services/users/src/users.ts:18:17 audit_events audit',
      'cross-service-write error services/users/src/users.ts:8:14 audit_events audit',
    ],
  ],
  [
    'ts-strings',
    "'…' + '…' chains, constants in them and in template holes: each table at its own literal",
    [
      'cross-service-read error services/reports/src/daily.ts:4:22 order_items orders',
      'cross-service-read error services/reports/src/daily.ts:9:11 orders orders',
      'cross-service-write error services/reports/src/daily.ts:3:17 orders orders',
    ],
  ],
  [
    'ts-helpers',
    'queryHelpers: simpleInsert({ table }) writes, simpleSelectOne({ table }) reads',
    [
      'cross-service-read error services/notifier/src/storage/emails.ts:11:57 users core',
      'cross-service-write error services/notifier/src/storage/emails.ts:17:15 background_updates core',
    ],
  ],
];

describe('check-ownership --json through query builders, ORMs and folded strings', () => {
  for (const [fixture, what, expected] of CASES) {
    it(`${fixture}: ${what}`, async () => {
      const r = await findings(fixture);
      expect(r.found).toEqual(expected);
      expect(r.exitCode).toBe(1);
    });
  }
});

describe('check-ownership text output for names outside SQL', () => {
  it('puts the caret under the name standing for the table, not the method after it', async () => {
    const r = await runCli(['check-ownership', '--cwd', path.join(fixtures, 'typeorm')]);
    const lines = r.stdout.split('\n');
    const at = lines.findIndex((l) => l.includes('shipping.service.ts:17:16'));
    expect(lines[at + 1]).toBe("    17 |     await this.orders.update(order.id, { status: 'shipped' });");
    expect(lines[at + 2]).toBe('       |                ^^^^^^');
  });
});
