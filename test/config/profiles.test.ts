import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { UserError, UserErrors } from '../../src/core/errors.js';
import { loadProject } from '../../src/core/project.js';
import { describeOrigin, getProfile, profileNeedsBaseUrl, resolveTargets } from '../../src/core/profiles.js';
import type { Project } from '../../src/core/types.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { tempProject } from '../helpers/tmp.js';

const M = 'CREATE TABLE dlq (id int);\n';
const BASE = 'postgres://admin:s3cret@db.internal:5432/platform';

async function project(config = ''): Promise<Project> {
  return loadProject({
    cwd: tempProject({
      ...(config ? { 'svcdb.config.yaml': config } : {}),
      'internal/ingestion/migrations/001_a.sql': M,
      'internal/tsdb-v2/migrations/001_a.sql': M,
    }),
    env: {},
  });
}

const urls = (targets: Array<{ envVar: string; url: string }>) =>
  Object.fromEntries(targets.map((t) => [t.envVar, t.url]));

function errorsOf(fn: () => unknown): UserError[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return err instanceof UserErrors ? err.errors : [err as UserError];
  }
  throw new Error('expected a UserError');
}

describe('strategies', () => {
  it('shared: every service gets the same URL, from DATABASE_URL under the built-in dev', async () => {
    const targets = resolveTargets(await project(), 'dev', { env: { DATABASE_URL: BASE } });
    expect(urls(targets)).toEqual({ INGESTION_DATABASE_URL: BASE, TSDB_V2_DATABASE_URL: BASE });
    expect(targets[0]).toMatchObject({
      strategy: 'shared',
      database: 'platform',
      schema: null,
      origin: { kind: 'database-url' },
    });
  });

  it('schema: each service gets its own search_path in the URL', async () => {
    const targets = resolveTargets(await project(), 'dev-aws', { env: { DATABASE_URL: BASE } });
    expect(urls(targets)).toEqual({
      INGESTION_DATABASE_URL: `${BASE}?options=-c%20search_path%3Dingestion,public`,
      TSDB_V2_DATABASE_URL: `${BASE}?options=-c%20search_path%3Dtsdb_v2,public`,
    });
    expect(targets.map((t) => t.schema)).toEqual(['ingestion', 'tsdb_v2']);
  });

  it('database: each service gets a database named after it', async () => {
    const p = await project(
      'profiles:\n  staging: { strategy: database, url: "postgres://admin@db:5432/postgres?sslmode=require" }\n',
    );
    const targets = resolveTargets(p, 'staging', { env: {} });
    expect(urls(targets)).toEqual({
      INGESTION_DATABASE_URL: 'postgres://admin@db:5432/ingestion?sslmode=require',
      TSDB_V2_DATABASE_URL: 'postgres://admin@db:5432/tsdb_v2?sslmode=require',
    });
    expect(targets[1]).toMatchObject({ database: 'tsdb_v2', origin: { kind: 'profile', profile: 'staging' } });
  });

  it('isolated: each service reads its own variable', async () => {
    const env = { INGESTION_DATABASE_URL: 'postgres://i@h/ing', TSDB_V2_DATABASE_URL: 'postgres://t@h/ts' };
    const targets = resolveTargets(await project(), 'prod', { env });
    expect(urls(targets)).toEqual(env);
    expect(targets[0].origin).toEqual({ kind: 'env', variable: 'INGESTION_DATABASE_URL' });
  });

  it('isolated: every missing variable is named, even with DATABASE_URL set', async () => {
    const p = await project('envPrefix: CJ_\n');
    const missing = errorsOf(() => resolveTargets(p, 'prod', { env: { DATABASE_URL: BASE } }));
    expect(missing.map((e) => e.where)).toEqual(['CJ_INGESTION_DATABASE_URL', 'CJ_TSDB_V2_DATABASE_URL']);
    expect(missing[0].message).toContain('profile "prod" is isolated');
  });
});

describe('where the URL comes from', () => {
  it('a set <PREFIX><SERVICE>_DATABASE_URL wins over the profile', async () => {
    const p = await project('envPrefix: CJ_\nprofiles:\n  dev: { url: "postgres://localhost/platform" }\n');
    const targets = resolveTargets(p, 'dev', {
      env: { CJ_TSDB_V2_DATABASE_URL: 'postgres://elsewhere/ts', DATABASE_URL: BASE },
    });
    expect(urls(targets)).toEqual({
      CJ_INGESTION_DATABASE_URL: 'postgres://localhost/platform',
      CJ_TSDB_V2_DATABASE_URL: 'postgres://elsewhere/ts',
    });
    expect(targets.map((t) => describeOrigin(t.origin))).toEqual([
      `profiles.dev.url in ${p.configPath}`,
      'environment variable CJ_TSDB_V2_DATABASE_URL',
    ]);
  });

  it('the profile url expands ${VAR} when the profile is used, naming an unset one', async () => {
    const p = await project('profiles:\n  dev-aws: { url: "${PLATFORM_DATABASE_URL}" }\n');
    expect(resolveTargets(p, 'dev', { env: { DATABASE_URL: BASE } })).toHaveLength(2);
    const [err] = errorsOf(() => resolveTargets(p, 'dev-aws', { env: {} }));
    expect(err.message).toBe('environment variable PLATFORM_DATABASE_URL is not set');
    expect(err.where).toBe('svcdb.config.yaml: profiles.dev-aws.url');
    const targets = resolveTargets(p, 'dev-aws', { env: { PLATFORM_DATABASE_URL: BASE } });
    expect(targets[0].url).toBe(`${BASE}?options=-c%20search_path%3Dingestion,public`);
  });

  it('falls back to the embedded server, and says how to fix it when there is none', async () => {
    const p = await project();
    expect(profileNeedsBaseUrl(p, 'dev', {})).toBe(true);
    expect(profileNeedsBaseUrl(p, 'dev', { DATABASE_URL: BASE })).toBe(false);
    expect(profileNeedsBaseUrl(p, 'prod', {})).toBe(false);
    expect(profileNeedsBaseUrl(p, 'dev', { INGESTION_DATABASE_URL: BASE, TSDB_V2_DATABASE_URL: BASE })).toBe(false);
    const embedded = resolveTargets(p, 'dev', {
      env: {},
      embeddedUrl: 'postgres://postgres@127.0.0.1:54329/svcdb',
      embeddedDataDir: '.svcdb/pg',
    });
    expect(embedded[0].origin).toEqual({ kind: 'embedded', dataDir: '.svcdb/pg' });
    const errors = errorsOf(() => resolveTargets(p, 'dev', { env: {} }));
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toBe('no database URL for profile "dev"');
    expect(errors[0].hint).toContain('set DATABASE_URL, set profiles.dev.url');
    expect(errors[0].hint).toContain('svcdb db start');
  });

  it("databaseOf: a service uses the other service's target", async () => {
    const p = await project('services:\n  query: { databaseOf: ingestion }\n');
    const schema = resolveTargets(p, 'dev-aws', { env: { DATABASE_URL: BASE } });
    const query = schema.find((t) => t.service === 'query')!;
    expect(query).toMatchObject({
      envVar: 'QUERY_DATABASE_URL',
      schema: 'ingestion',
      databaseOf: 'ingestion',
      url: `${BASE}?options=-c%20search_path%3Dingestion,public`,
    });
    const isolated = resolveTargets(p, 'prod', {
      env: { INGESTION_DATABASE_URL: 'postgres://i@h/ing', TSDB_V2_DATABASE_URL: 'postgres://t@h/ts' },
    });
    expect(isolated.find((t) => t.service === 'query')).toMatchObject({
      url: 'postgres://i@h/ing',
      origin: { kind: 'env', variable: 'INGESTION_DATABASE_URL' },
    });
  });

  it("credentials replace user and password of the service's URL", async () => {
    const targets = resolveTargets(await project(), 'dev-aws', {
      env: { DATABASE_URL: BASE },
      credentials: { ingestion: { user: 'svc_ingestion', password: 'p@ss/word' } },
      credentialsFile: '.svcdb/credentials.json',
    });
    expect(targets[0].url).toBe(
      'postgres://svc_ingestion:p%40ss%2Fword@db.internal:5432/platform?options=-c%20search_path%3Dingestion,public',
    );
    expect(targets[0].origin).toEqual({ kind: 'credentials', file: '.svcdb/credentials.json' });
    expect(targets[1].url).toContain('admin:s3cret@');
  });

  it('an unknown profile lists the known ones', async () => {
    const p = await project('profiles:\n  staging: { strategy: database, url: "postgres://h/db" }\n');
    expect(() => getProfile(p, 'stagign')).toThrow('unknown profile "stagign"');
    const [err] = errorsOf(() => resolveTargets(p, 'stagign', { env: {} }));
    expect(err.hint).toBe('known profiles: dev, dev-aws, prod, staging');
  });

  it('a malformed URL names the profile (and the variable it came from)', async () => {
    const p = await project();
    const [err] = errorsOf(() => resolveTargets(p, 'dev', { env: { DATABASE_URL: 'mysql://root@localhost/db' } }));
    expect(err.message).toContain('malformed database URL for profile "dev", from DATABASE_URL');
    const [own] = errorsOf(() =>
      resolveTargets(p, 'dev', { env: { DATABASE_URL: BASE, INGESTION_DATABASE_URL: 'localhost:5432' } }),
    );
    expect(own.message).toContain('service "ingestion", profile "dev", from INGESTION_DATABASE_URL');
  });
});

describe('the schema URL on a real server', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('profiles');
  });
  afterAll(async () => {
    await db.drop();
  });

  it('postgres.js connections made from the URLs land in their own schemas, so two dlq tables never meet', async () => {
    const targets = resolveTargets(await project(), 'dev-aws', { env: { DATABASE_URL: db.url } });
    for (const t of targets) {
      await db.sql.unsafe(`CREATE SCHEMA "${t.schema}"`);
      const sql = postgres(t.url, { max: 1, onnotice: () => {} });
      try {
        expect((await sql`show search_path`)[0].search_path).toBe(`${t.schema},public`);
        await sql`CREATE TABLE dlq (service text)`;
        await sql`INSERT INTO dlq VALUES (${t.service})`;
      } finally {
        await sql.end();
      }
    }
    const rows =
      await db.sql`SELECT table_schema, (xpath('/row/service/text()', query_to_xml('select service from ' || quote_ident(table_schema) || '.dlq', false, true, '')))[1]::text AS service FROM information_schema.tables WHERE table_name = 'dlq' ORDER BY 1`;
    expect(rows.map((r) => [r.table_schema, r.service])).toEqual([
      ['ingestion', 'ingestion'],
      ['tsdb_v2', 'tsdb-v2'],
    ]);
  });
});

describe('names on the server', () => {
  it('names PostgreSQL refuses or truncates map to one deterministic valid identifier', async () => {
    const { identifierFor, roleName } = await import('../../src/core/names.js');
    expect(identifierFor('pg_queue')).toBe('s_pg_queue');
    expect(identifierFor('Orders')).toBe('orders');
    expect(identifierFor('tsdb-v2')).toBe('tsdb_v2');
    expect(identifierFor('2fa')).toBe('s_2fa');
    const long = 'a'.repeat(63);
    const one = identifierFor(`${long}_one`);
    const two = identifierFor(`${long}_two`);
    expect(one).toHaveLength(63);
    expect(one).not.toBe(two);
    expect(identifierFor(`${long}_one`)).toBe(one);
    expect(roleName('', 'pg_queue')).toBe('s_pg_queue');
    expect(roleName('svcdb_', 'Orders')).toBe('svcdb_orders');
  });

  it('a schema profile with schemaName uses the pattern; services.X.schema wins', async () => {
    const p = await project(
      'profiles:\n  cloud: { strategy: schema, url: "postgres://a@h/db", schemaName: "{service}_schema" }\nservices:\n  ingestion: { schema: intake }\n',
    );
    const targets = resolveTargets(p, 'cloud', { env: {} });
    expect(targets.map((t) => t.schema)).toEqual(['intake', 'tsdb_v2_schema']);
  });
});
