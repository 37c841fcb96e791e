// Issue 13, point 12, on a terminal: while a slow migration runs, a live line names it with n/N
// and its elapsed time (redrawn as it grows); when the run ends the live line is gone and the
// screen holds one line per migration applied and the summary. Run on a real pseudo-terminal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { hasScript, screen, svcdbInPty, waitFor } from '../helpers/terminal.js';
import { tempProject, type TempProject } from './helpers.js';

const dir = 'internal/users/migrations';
const slow = (seconds: number, table: string) =>
  `-- +goose Up\n-- backfill: slow on a large table\nSELECT pg_sleep(${seconds});\nCREATE TABLE ${table} (id int);\n\n-- +goose Down\nDROP TABLE ${table};\n`;

/** elapsed times shown on the live lines of `migration`, in ms, in the order drawn */
function elapsedOf(raw: string, line: RegExp): number[] {
  return [...raw.matchAll(line)].map((m) => (m[2] === 'ms' ? Number(m[1]) : Number(m[1]) * 1000));
}

describe.skipIf(!hasScript)('migrate progress on a terminal', () => {
  let db: TestDatabase;
  let p: TempProject;
  beforeAll(async () => {
    db = await createTestDatabase('progress_tty');
  });
  afterAll(async () => {
    await db.drop();
  });

  it('shows the running migration, n/N and its elapsed time while it runs, then leaves a clean screen', async () => {
    p = tempProject({
      [`${dir}/001_create_users.sql`]:
        '-- +goose Up\nCREATE TABLE users (id int);\n\n-- +goose Down\nDROP TABLE users;\n',
      [`${dir}/002_backfill_emails.sql`]: slow(2, 'emails'),
      [`${dir}/003_create_items.sql`]:
        '-- +goose Up\nCREATE TABLE items (id int);\n\n-- +goose Down\nDROP TABLE items;\n',
    });
    try {
      const run = svcdbInPty(['--cwd', p.dir, 'migrate', '--all'], { DATABASE_URL: db.url });
      const live = /users: 2\/3 002_backfill_emails (\d+(?:\.\d+)?) ?(ms|s)/g;
      // the live line has counted past half a second: 002 is still running, so nothing after it
      // is committed and the process has not ended
      await waitFor(run, (raw) => elapsedOf(raw, live).some((ms) => ms >= 500));
      expect(run.running()).toBe(true);
      const history = await db.sql`select id from svcdb_migrations_users order by id`;
      expect(history.map((r) => r.id)).toEqual(['001_create_users']);
      // while 002 runs, no live line claims 003 is running (it is sent, but waits behind 002)
      expect(run.raw()).not.toMatch(/users: 3\/3 003_create_items [1-9]\d{2,} ms|users: 3\/3 003_create_items \d\.\ds/);

      expect(await run.exited).toBe(0);
      const shown = elapsedOf(run.raw(), live);
      expect(shown.length, run.raw()).toBeGreaterThanOrEqual(3);
      expect(Math.max(...shown)).toBeGreaterThanOrEqual(1500);
      for (let i = 1; i < shown.length; i++) expect(shown[i]).toBeGreaterThanOrEqual(shown[i - 1]);

      const final = screen(run.raw());
      expect(
        final.filter((l) => /\d+\/3 /.test(l)),
        final.join('\n'),
      ).toEqual([]);
      expect(final.slice(0, 4)).toEqual([
        expect.stringMatching(/^users: applied 001_create_users \(\d+ ms\)$/),
        expect.stringMatching(/^users: applied 002_backfill_emails \([2-9]\.\ds\)$/),
        expect.stringMatching(/^users: applied 003_create_items \(\d+ ms\)$/),
        expect.stringMatching(/^users: applied 3 \(001_create_users … 003_create_items\) in \d+ ms$/),
      ]);
      expect(final[4]).toMatch(/^SERVICE\s+STATUS\s+APPLIED/);
      expect(final[5]).toMatch(/^users\s+applied\s+3\s+0\s/);
      expect(final).toHaveLength(6);
    } finally {
      p.cleanup();
    }
  });

  it('on a narrow terminal a long file name is shortened so the live line never wraps', async () => {
    const long = '20240301100000_backfill_customer_email_addresses_from_the_legacy_crm_export';
    p = tempProject({ [`internal/billing/migrations/${long}.sql`]: slow(1, 'billing_emails') });
    try {
      const run = svcdbInPty(['--cwd', p.dir, 'migrate', '--all'], { DATABASE_URL: db.url }, 50);
      expect(await run.exited).toBe(0);
      const raw = run.raw();
      const live = raw
        .split(/\r?\n|\x1b\[\d*F\x1b\[J/)
        .map((l) => l.replace(/\r/g, ''))
        .filter((l) => l.startsWith('billing: 1/1 '));
      expect(live.length, raw).toBeGreaterThanOrEqual(2);
      for (const line of live) {
        expect(line.length, line).toBeLessThan(50);
        expect(line).toMatch(/^billing: 1\/1 20240301100000\S*…\S*_export \d+(\.\d+)? ?(ms|s)$/);
      }
      const final = screen(raw);
      expect(
        final.filter((l) => l.startsWith('billing: 1/1')),
        final.join('\n'),
      ).toEqual([]);
      expect(final[0]).toMatch(new RegExp(`^billing: applied ${long} \\(\\d+\\.\\ds\\)$`));
    } finally {
      p.cleanup();
    }
  });
});
