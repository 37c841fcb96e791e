import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyFixture, svcdb } from '../helpers/platform-fixture.js';

// A project provisioned on one server (as `svcdb provision` records it) and then pointed at
// another: the saved role belongs to the first server only.
function provisionedOn(server: string, database: string): string {
  const dir = copyFixture('platform');
  mkdirSync(path.join(dir, '.svcdb'), { recursive: true });
  const credentials = {
    profiles: { dev: { ingestion: { role: 'svcdb_ingestion', password: 'r0le-secret', server, database } } },
  };
  writeFileSync(path.join(dir, '.svcdb/credentials.json'), JSON.stringify(credentials), { mode: 0o600 });
  return dir;
}

describe('provisioned roles in env and services', () => {
  it('env gives a service its role on the server and database it was provisioned on', async () => {
    const dir = provisionedOn('db.one:5432', 'platform');
    const r = await svcdb(['env', 'dev'], {
      cwd: dir,
      env: { DATABASE_URL: 'postgres://admin:adm1n@db.one:5432/platform' },
    });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('CJ_INGESTION_DATABASE_URL=postgres://svcdb_ingestion:r0le-secret@db.one:5432/platform');
    expect(r.stdout).toContain('CJ_TSDB_DATABASE_URL=postgres://admin:adm1n@db.one:5432/platform');
  });

  it('env and services never apply a saved role to another server', async () => {
    const dir = provisionedOn('db.one:5432', 'platform');
    const env = { DATABASE_URL: 'postgres://admin:adm1n@db.two:5432/platform' };
    const r = await svcdb(['env', 'dev'], { cwd: dir, env });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).not.toContain('svcdb_ingestion');
    expect(r.stdout).toContain('CJ_INGESTION_DATABASE_URL=postgres://admin:adm1n@db.two:5432/platform');
    const s = await svcdb(['services', '--json'], { cwd: dir, env });
    const ingestion = (JSON.parse(s.stdout) as { services: Array<{ name: string; url: string }> }).services.find(
      (x) => x.name === 'ingestion',
    );
    expect(ingestion?.url).toBe('postgres://admin:***@db.two:5432/platform');
  });
});
