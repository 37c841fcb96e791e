import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.js';
import { UserError, UserErrors, formatUserError } from '../../src/core/errors.js';
import { tempProject } from '../helpers/tmp.js';

async function configError(files: Record<string, string>, env: NodeJS.ProcessEnv = {}): Promise<UserError[]> {
  const cwd = tempProject(files);
  const err = await loadConfig({ cwd, env }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UserError);
  return err instanceof UserErrors ? err.errors : [err as UserError];
}

describe('loading the config', () => {
  it('works with no config file at all: default discover glob and the built-in profiles', async () => {
    const { config, path } = await loadConfig({ cwd: tempProject({ 'package.json': '{"name":"x"}' }) });
    expect(path).toBeNull();
    expect(config.discover).toEqual(['internal/*/migrations']);
    expect(config.envPrefix).toBe('');
    expect(config.profiles).toEqual({
      dev: { strategy: 'shared' },
      'dev-aws': { strategy: 'schema' },
      prod: { strategy: 'isolated' },
    });
  });

  it('reads every SPEC key from YAML', async () => {
    const cwd = tempProject({
      'svcdb.config.yaml': `
discover: ["internal/services/*/migrations"]
envPrefix: CJ_
services:
  ingestion:
    owns: [outbox, event_store]
    trackingTable: goose_ingestion
    run: { command: "node dist/ingestion.js", port: 8080, health: /healthz }
  query:
    path: internal/services/query
    databaseOf: eventhandler
    reads:
      - { service: eventhandler, tables: [projections], via: [internal/shared/projections] }
shared:
  internal/shared/projections: eventhandler
profiles:
  dev: { url: "postgres://localhost:5432/platform" }
  staging: { strategy: database, url: "postgres://admin@db.internal:5432/postgres" }
rules:
  unknown-table: off
`,
    });
    const { config, path } = await loadConfig({ cwd });
    expect(path).toMatch(/svcdb\.config\.yaml$/);
    expect(config.envPrefix).toBe('CJ_');
    expect(config.services.ingestion).toMatchObject({
      owns: ['outbox', 'event_store'],
      trackingTable: 'goose_ingestion',
      run: { command: 'node dist/ingestion.js', port: 8080, after: [] },
    });
    expect(config.services.query.reads).toEqual([
      { service: 'eventhandler', tables: ['projections'], via: ['internal/shared/projections'] },
    ]);
    expect(config.profiles.dev).toEqual({ strategy: 'shared', url: 'postgres://localhost:5432/platform' });
    expect(config.profiles.staging.strategy).toBe('database');
    expect(config.profiles.prod).toEqual({ strategy: 'isolated' });
    expect(config.rules).toEqual({ 'unknown-table': 'off' });
  });

  it('reads package.json#svcdb and .svcdbrc.json', async () => {
    const fromPkg = await loadConfig({
      cwd: tempProject({ 'package.json': '{"name":"x","svcdb":{"envPrefix":"P_"}}' }),
    });
    expect(fromPkg.config.envPrefix).toBe('P_');
    const fromRc = await loadConfig({ cwd: tempProject({ '.svcdbrc.json': '{"envPrefix":"R_"}' }) });
    expect(fromRc.config.envPrefix).toBe('R_');
  });

  it('reads an ESM config that uses a local defineConfig', async () => {
    const cwd = tempProject({
      'svcdb.config.mjs': 'const defineConfig = (c) => c;\nexport default defineConfig({ envPrefix: "M_" });\n',
    });
    expect((await loadConfig({ cwd })).config.envPrefix).toBe('M_');
  });

  it('loads the file named by --config, and says so when it is missing', async () => {
    const cwd = tempProject({ 'conf/svcdb.yaml': 'envPrefix: X_\n' });
    expect((await loadConfig({ cwd, configFile: 'conf/svcdb.yaml' })).config.envPrefix).toBe('X_');
    await expect(loadConfig({ cwd, configFile: 'nope.yaml' })).rejects.toThrow('config file not found: nope.yaml');
  });
});

describe('${VAR} expansion', () => {
  it('expands variables and ${VAR:-default}', async () => {
    const cwd = tempProject({
      'svcdb.config.yaml': 'envPrefix: "${PREFIX}"\nservices:\n  a: { trackingTable: "${TABLE:-svcdb_a}" }\n',
    });
    const { config } = await loadConfig({ cwd, env: { PREFIX: 'CJ_' } });
    expect(config.envPrefix).toBe('CJ_');
    expect(config.services.a.trackingTable).toBe('svcdb_a');
  });

  it('names an unset variable and the key that uses it', async () => {
    const [err] = await configError({ 'svcdb.config.yaml': 'services:\n  a: { run: { command: "node ${ENTRY}" } }\n' });
    expect(err.message).toBe('environment variable ENTRY is not set');
    expect(err.where).toBe('svcdb.config.yaml: services.a.run.command');
  });

  it('leaves profile URLs for when the profile is used', async () => {
    const cwd = tempProject({ 'svcdb.config.yaml': 'profiles:\n  dev-aws: { url: "${PLATFORM_DATABASE_URL}" }\n' });
    const { config } = await loadConfig({ cwd, env: {} });
    expect(config.profiles['dev-aws']).toEqual({ strategy: 'schema', url: '${PLATFORM_DATABASE_URL}' });
  });
});

describe('invalid config: one message per problem, with the key path', () => {
  it('an unknown key, with a did-you-mean', async () => {
    const [err] = await configError({ 'svcdb.config.yaml': 'envprefix: CJ_\n' });
    expect(formatUserError(err)).toBe(
      'svcdb.config.yaml: envprefix: unknown key "envprefix"\n  hint: did you mean "envPrefix"?',
    );
  });

  it.each([
    ['', 'zzz: 1\n', []],
    ['checkMigrations', 'checkMigrations: { zzz: 1 }\n', ['checkMigrations']],
    ['services.a', 'services:\n  a: { zzz: 1 }\n', ['services', 'additionalProperties']],
    [
      'services.a.run',
      'services:\n  a: { run: { command: x, zzz: 1 } }\n',
      ['services', 'additionalProperties', 'run'],
    ],
    [
      'services.a.reads[0]',
      'services:\n  a: { reads: [{ service: b, tables: [t], zzz: 1 }] }\n',
      ['services', 'additionalProperties', 'reads', 'items'],
    ],
    ['profiles.p', 'profiles:\n  p: { strategy: shared, zzz: 1 }\n', ['profiles', 'additionalProperties']],
  ])('an unknown key under %j lists the keys svcdb.schema.json allows there', async (at, yaml, schemaPath) => {
    const [err] = await configError({ 'svcdb.config.yaml': yaml });
    expect(err.where).toBe(`svcdb.config.yaml: ${at ? `${at}.` : ''}zzz`);
    let node = JSON.parse(readFileSync(new URL('../../svcdb.schema.json', import.meta.url), 'utf8'));
    for (const step of schemaPath as string[])
      node = step === 'items' || step === 'additionalProperties' ? node[step] : node.properties[step];
    expect(err.hint).toBe(`expected one of: ${Object.keys(node.properties).join(', ')}`);
  });

  it('an unknown key deep in a service, and the required key it stands for', async () => {
    const [missing, unknown] = await configError({
      'svcdb.config.yaml': 'services:\n  ingestion:\n    run: { comand: x }\n',
    });
    expect(missing.where).toBe('svcdb.config.yaml: services.ingestion.run.command');
    expect(missing.message).toBe('missing; expected string');
    expect(unknown.where).toBe('svcdb.config.yaml: services.ingestion.run.comand');
    expect(unknown.hint).toBe('did you mean "command"?');
  });

  it('a wrong type says what was found and what was expected', async () => {
    const [err] = await configError({ 'svcdb.config.json': '{"discover": "internal/*/migrations"}' });
    expect(err.where).toBe('svcdb.config.json: discover');
    expect(err.message).toBe('expected a list, found string "internal/*/migrations"');
  });

  it('a misspelt strategy suggests the right one', async () => {
    const [err] = await configError({ 'svcdb.config.yaml': 'profiles:\n  staging: { strategy: databse }\n' });
    expect(err.where).toBe('svcdb.config.yaml: profiles.staging.strategy');
    expect(err.message).toContain('expected one of shared, schema, database, isolated, found string "databse"');
    expect(err.hint).toBe('did you mean "database"?');
  });

  it('reports every problem at once', async () => {
    const errors = await configError({
      'svcdb.config.yaml':
        'envPrefix: 3\nservices:\n  a: { owns: outbox, run: { command: x, port: "80" } }\nrules: { x: loud }\n',
    });
    expect(errors.map((e) => e.where).sort()).toEqual([
      'svcdb.config.yaml: envPrefix',
      'svcdb.config.yaml: rules.x',
      'svcdb.config.yaml: services.a.owns',
      'svcdb.config.yaml: services.a.run.port',
    ]);
  });

  it('a custom profile needs a strategy; an isolated one takes no url', async () => {
    const errors = await configError({
      'svcdb.config.yaml': 'profiles:\n  staging: { url: "postgres://h/db" }\n  prod: { url: "postgres://h/db" }\n',
    });
    expect(errors.map((e) => e.where)).toEqual([
      'svcdb.config.yaml: profiles.staging.strategy',
      'svcdb.config.yaml: profiles.prod.url',
    ]);
  });

  it('a YAML syntax error names the file, line and column, and the cause', async () => {
    const [err] = await configError({ 'svcdb.config.yaml': 'services: [\n' });
    expect(err.where).toBe('svcdb.config.yaml:2:1');
    expect(err.message).toBe('invalid YAML: unexpected end of the stream within a flow collection');
  });

  it('a JSON trailing comma names the file, line and column, and the cause', async () => {
    const [err] = await configError({
      '.svcdbrc.json': '{\n  "envPrefix": "CJ_",\n  "discover": ["internal/*/migrations"],\n}\n',
    });
    expect(err.where).toBe('.svcdbrc.json:4:1');
    expect(err.message).toMatch(/^invalid JSON: (Expected double-quoted property name|Unexpected token)/);
    expect(err.hint).toBe('JSON allows no trailing comma and no comments (a YAML config does)');
  });

  it('a broken package.json names its line and column', async () => {
    const [err] = await configError({ 'package.json': '{"name": "x",\n "svcdb": {"envPrefix": "A_"}}}' });
    expect(err.where).toBe('package.json:2:31');
    expect(err.message).toMatch(/^invalid JSON: /);
  });

  it('an unknown rule name is a config problem, reported with the schema errors', async () => {
    const errors = await configError({ 'svcdb.config.yaml': 'envPrefix: "a b"\nrules: { unknown-tabel: off }\n' });
    expect(errors.map((e) => [e.where, e.message])).toEqual([
      ['svcdb.config.yaml: envPrefix', 'expected letters, digits and _ only, found string "a b"'],
      ['svcdb.config.yaml: rules.unknown-tabel', 'unknown rule "unknown-tabel"'],
    ]);
  });

  it('a profile without strategy is reported with the schema errors, not after them', async () => {
    const errors = await configError({
      'svcdb.config.yaml':
        'discover: ["internal/*/migrations"]\nenvPrefix: 3\nprofiles:\n  staging: { url: "postgres://h/db" }\n',
    });
    expect(errors.map((e) => e.where)).toEqual([
      'svcdb.config.yaml: envPrefix',
      'svcdb.config.yaml: profiles.staging.strategy',
    ]);
  });

  it('a config nested 200,000 levels deep is a message, in JSON and in YAML', async () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    const [json] = await configError({ 'svcdb.config.json': `{"discover": ${deep}}` });
    expect(json.message).toBe('nested too deeply (more than 64 levels)');
    expect(json.where).toMatch(/^svcdb\.config\.json: discover\[0\]\[0\]\[0\]/);
    const [yaml] = await configError({ 'svcdb.config.yaml': `discover: ${deep}\n` });
    expect(yaml.message).toBe('invalid YAML: nesting exceeded maxDepth (100)');
    expect(yaml.where).toBe('svcdb.config.yaml:1:110');
  });

  it('names that Object.prototype has are names like any other: not a profile, not a service', async () => {
    const [json] = await configError({ 'svcdb.config.json': '{"services": {"__proto__": {"owns": ["x"]}}}' });
    expect(json.where).toBe('svcdb.config.json: services.__proto__');
    expect(json.message).toBe('"__proto__" is not allowed as a name');
    const [yaml] = await configError({ 'svcdb.config.yaml': 'profiles:\n  __proto__: { strategy: shared }\n' });
    expect(yaml.where).toBe('svcdb.config.yaml: profiles.__proto__');
    const { config } = await loadConfig({ cwd: tempProject({ 'svcdb.config.yaml': 'envPrefix: A_\n' }), env: {} });
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      expect(config.profiles[name]).toBeUndefined();
      expect(config.services[name]).toBeUndefined();
    }
  });
});

describe('loading twice', () => {
  it('gives the same config on the second load, and still rejects the file once it is broken', async () => {
    const cwd = tempProject({ 'svcdb.config.yaml': 'envPrefix: "${P}"\nservices:\n  a: { run: { command: x } }\n' });
    const first = await loadConfig({ cwd, env: { P: 'A_' } });
    const second = await loadConfig({ cwd, env: { P: 'A_' } });
    expect(second).toEqual(first);
    expect(second.config.services.a.run).toEqual({ command: 'x', after: [] });
    await expect(loadConfig({ cwd, env: { P: 'not valid!' } })).rejects.toThrow('expected letters, digits and _ only');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${cwd}/svcdb.config.yaml`, 'envPrefix: "${P}"\nservices:\n  a: { run: { command: x, port: 0 } }\n');
    await expect(loadConfig({ cwd, env: { P: 'A_' } })).rejects.toThrow('too small');
  });
});
