// Reaching the server: the URL forms the README promises, endpoints that are not PostgreSQL,
// unknown hosts, hostile names under standard_conforming_strings=off.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, serverUrl, type TestDatabase } from '../helpers/db.js';
import { svcdb, tempProject, type TempProject } from '../helpers/project.js';

function listen(onSocket: (s: net.Socket) => void): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    onSocket(s);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as net.AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      }),
    ),
  );
}

describe('endpoints that are not PostgreSQL, and unknown hosts', () => {
  let project: TempProject;
  beforeAll(() => {
    project = tempProject({ 'internal/s/migrations/001_a.sql': 'select 1;\n' });
  });
  afterAll(() => project.cleanup());

  it.each([
    ['accepts and says nothing', (_s: net.Socket) => {}],
    [
      'answers like HTTP',
      (s: net.Socket) => s.once('data', () => s.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n')),
    ],
    ['sends garbage', (s: net.Socket) => s.once('data', () => s.write(Buffer.from('Zgarbage\x00\x00\x00\x00garbage')))],
  ])('an endpoint that %s ends with exit 2 within --wait, naming host:port', async (_what, behaviour) => {
    const fake = await listen(behaviour);
    try {
      const r = await svcdb(project.dir, `postgres://u:secretpw@127.0.0.1:${fake.port}/db`, [
        'migrate',
        '--all',
        '--wait',
        '2s',
        '--json',
      ]);
      expect(r.exitCode).toBe(2);
      const doc = JSON.parse(r.stdout);
      expect(doc.error.message).toContain(`127.0.0.1:${fake.port}/db`);
      expect(r.stdout + r.stderr).not.toContain('secretpw');
      // the time svcdb spent trying is --wait, not more (it was 3 s for HTTP: a second of grace
      // after the driver's own connect_timeout); the margin is for a loaded machine's timers
      expect(doc.services[0].durationMs).toBeLessThan(2000 + 600);
    } finally {
      await fake.close();
    }
  });

  it('an unknown host is exit 2 (bad input), not 1', async () => {
    const r = await svcdb(project.dir, 'postgres://u@no-such-host.invalid/db', ['plan', '--all', '--wait', '1s']);
    expect(r.exitCode).toBe(2);
    expect(r.stdout + r.stderr).toContain('no-such-host.invalid:5432/db: unknown host');
  });
});

/** `user[:password]` of the test server's URL, still percent-encoded. */
function credentials(): string {
  const u = new URL(serverUrl());
  return `${u.username || 'postgres'}${u.password ? `:${u.password}` : ''}`;
}

describe('URL forms the README promises', () => {
  let db: TestDatabase;
  let project: TempProject;
  let port: string;
  beforeAll(async () => {
    db = await createTestDatabase('connect_forms');
    project = tempProject({ 'internal/s/migrations/001_a.sql': 'create table forms_ok(x int);\n' });
    port = new URL(serverUrl()).port || '5432';
  });
  afterAll(async () => {
    await db.drop();
    project.cleanup();
  });

  it('a unix socket given as ?host=/dir connects', async () => {
    const [row] = await db.sql`select setting from pg_settings where name = 'unix_socket_directories'`;
    const dir = String(row.setting).split(',')[0].trim();
    const r = await svcdb(project.dir, `postgres://${credentials()}@/${db.name}?host=${dir}&port=${port}`, [
      'plan',
      '--all',
      '--wait',
      '2s',
    ]);
    expect(r.stderr).not.toContain('error');
    expect(r.exitCode).toBe(0);
  });

  it('an IPv6 host in brackets connects', async () => {
    // A relay on [::1] to the test server: the server need not listen on IPv6 itself.
    const target = new URL(serverUrl());
    const sockets = new Set<net.Socket>();
    const relay = net.createServer((client) => {
      const upstream = net.connect({ host: target.hostname.replace(/^\[|\]$/g, ''), port: Number(port) });
      sockets.add(client).add(upstream);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.pipe(upstream).pipe(client);
    });
    const listening = await new Promise<boolean>((resolve) => {
      relay.once('error', () => resolve(false));
      relay.listen(0, '::1', () => resolve(true));
    });
    if (!listening) return; // no IPv6 loopback on this machine: nothing to show
    try {
      const relayPort = (relay.address() as net.AddressInfo).port;
      const r = await svcdb(project.dir, `postgres://${credentials()}@[::1]:${relayPort}/${db.name}`, [
        'migrate',
        '--all',
        '--wait',
        '2s',
      ]);
      expect(r.stderr).not.toContain('error');
      expect(r.exitCode).toBe(0);
      expect((await db.sql`select to_regclass('forms_ok') is not null as ok`)[0].ok).toBe(true);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((done) => relay.close(done));
    }
  });
});

describe('hostile file and folder names with standard_conforming_strings off', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('scs_off');
    await db.sql.unsafe(`alter database "${db.name}" set standard_conforming_strings = off`);
    await db.sql.end();
    db = { ...db, sql: (await import('postgres')).default(db.url, { max: 1, onnotice: () => {} }) };
    await db.sql`create table victim1(x int)`;
    await db.sql`create table victim2(x int)`;
  });
  afterAll(async () => {
    await db.drop();
  });

  it('migrate records the file under its own name and drops nothing', async () => {
    const name = "001_a\\', 1, 1, 1); drop table victim1; --.sql";
    const project = tempProject({ [`internal/svc/migrations/${name}`]: 'select 1;\n' });
    try {
      const r = await svcdb(project.dir, db.url, ['migrate', '--all']);
      expect(r.exitCode).toBe(0);
      const rows = await db.sql`select id, checksum from svcdb_migrations_svc`;
      expect(rows.map((x) => x.id)).toEqual([name.replace(/\.sql$/, '')]);
      expect(rows[0].checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(
        (await db.sql`select count(*)::int as n from pg_tables where tablename in ('victim1', 'victim2')`)[0].n,
      ).toBe(2);
    } finally {
      project.cleanup();
    }
  });

  it('the read-only status with a hostile service folder name drops nothing', async () => {
    const folder = "x\\'; drop table victim2; --";
    const project = tempProject({ [`internal/${folder}/migrations/001_a.sql`]: 'select 1;\n' });
    try {
      const plan = await svcdb(project.dir, db.url, ['plan', '--all']);
      const table = /public\.(svcdb_migrations_\S+)/.exec(plan.stdout + plan.stderr)?.[1];
      expect(table).toBeDefined();
      await db.sql.unsafe(
        `create table "${table}" (service text, id text, checksum text, applied_at timestamptz default now(), duration_ms int, svcdb_version text, primary key (service, id))`,
      );
      const status = await svcdb(project.dir, db.url, ['status', '--all']);
      expect(status.exitCode).toBe(0);
      expect(
        (await db.sql`select count(*)::int as n from pg_tables where tablename in ('victim1', 'victim2')`)[0].n,
      ).toBe(2);
      const m = await svcdb(project.dir, db.url, ['migrate', '--all']);
      expect(m.exitCode).toBe(0);
      expect((await db.sql.unsafe(`select service from "${table}"`)).map((x) => x.service)).toEqual([folder]);
    } finally {
      project.cleanup();
    }
  });
});
