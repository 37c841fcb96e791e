// `svcdb new` in the layouts of real repositories: a Flyway folder gets the next versioned file in
// its own spelling (it crashed on `BigInt('1.1')`), and the layouts another tool writes (Prisma,
// Drizzle, Atlas) are refused with that tool's command instead of a file that fits no layout.
import { cpSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flywayFileName } from '../../src/commands/new.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { svcdb, tempProject, type TempProject } from './helpers.js';

const polyglot = path.resolve(import.meta.dirname, '../fixtures/sources/polyglot');
const flyway = 'services/billing/src/main/resources/db/migration';

describe('svcdb new in an existing repository', () => {
  let db: TestDatabase;
  let project: TempProject;
  beforeAll(async () => {
    db = await createTestDatabase('cli_new');
    project = tempProject({});
    cpSync(polyglot, project.dir, { recursive: true });
  });
  afterAll(async () => {
    await db.drop();
    project.cleanup();
  });

  it('adds the next Flyway version, which migrate then applies after the others', async () => {
    const first = await svcdb(project.dir, db.url, ['migrate', 'billing']);
    expect(first.exitCode, first.stderr).toBe(0);
    const r = await svcdb(project.dir, db.url, ['new', 'billing', 'add tax']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('internal error');
    // The highest version is V2_1 (2.1): the next is 2.2, spelt with that file's underscore.
    expect(readdirSync(path.join(project.dir, flyway))).toContain('V2_2__add_tax.sql');
    project.write(`${flyway}/V2_2__add_tax.sql`, 'alter table invoice add column tax numeric;\n');
    const next = await svcdb(project.dir, db.url, ['migrate', 'billing', '--json']);
    expect(next.exitCode, next.stderr).toBe(0);
    const applied = JSON.parse(next.stdout).services[0].applied.map((a: { id: string }) => a.id);
    expect(applied).toEqual(['V2.2__add_tax']);
  });

  it.each([
    ['users', 'Prisma', 'npx prisma migrate dev'],
    ['web', 'Drizzle', 'npx drizzle-kit generate'],
  ])('refuses a %s folder laid out for %s, exit 2, naming its command; writes nothing', async (svc, tool, command) => {
    const before = readdirSync(project.dir, { recursive: true }).length;
    const r = await svcdb(project.dir, db.url, ['new', svc, 'more']);
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toContain(`laid out for ${tool}`);
    expect(r.stderr).toContain(command);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(project.dir, { recursive: true }).length).toBe(before);
  });
});

describe('the next Flyway file name', () => {
  const m = (version: string, file: string) => ({ version, path: `/m/${file}` });
  it('raises the last part of the highest version, in its spelling; repeatables do not count', () => {
    expect(flywayFileName([], 'x')).toBe('V1__x.sql');
    expect(flywayFileName([m('7', 'V7__a.sql'), m('', 'R__v.sql')], 'x')).toBe('V8__x.sql');
    expect(flywayFileName([m('1.9', 'V1.9__a.sql'), m('1.1', 'V1.1__b.sql')], 'x')).toBe('V1.10__x.sql');
    expect(flywayFileName([m('1.10', 'V1.10__a.sql'), m('1.9', 'V1.9__b.sql')], 'x')).toBe('V1.11__x.sql');
    expect(flywayFileName([m('2.1', 'V2_1__a.sql'), m('1.10', 'V1.10__b.sql')], 'x')).toBe('V2_2__x.sql');
  });
});
