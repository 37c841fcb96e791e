// The zod schema is the config's one description: the README's reference, svcdb.schema.json
// and the quick validator are generated from it (`npm run gen:config`) and must not drift; the
// JSON Schema works in an editor's `$schema`; the quick validator never says yes where zod
// says no.
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import AjvModule from 'ajv';
import { load as loadYaml } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/core/config-schema.js';
import { validate as quickCheck } from '../../src/core/config-validator.generated.js';
import { repoRoot, svcdb } from '../helpers/cli.js';
import { tempProject } from '../helpers/tmp.js';

// The class (vitest hands over module.exports' default; NodeNext types see the module object).
const Ajv = AjvModule as unknown as typeof AjvModule.default;

// @ts-expect-error: a build script in plain JavaScript, without types
const { generate, README_FILE, SCHEMA_FILE, VALIDATOR_FILE } = (await import('../../src/build/gen-config.mjs')) as {
  generate(): Promise<{ schemaText: string; validatorText: string; readmeText: string }>;
  README_FILE: string;
  SCHEMA_FILE: string;
  VALIDATOR_FILE: string;
};

describe('generated from the zod schema', () => {
  it('svcdb.schema.json, the quick validator and the README reference are up to date (else: npm run gen:config)', async () => {
    const fresh = await generate();
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(fresh.schemaText);
    expect(readFileSync(VALIDATOR_FILE, 'utf8')).toBe(fresh.validatorText);
    expect(readFileSync(README_FILE, 'utf8')).toBe(fresh.readmeText);
  });

  it('the README reference names every key of the schema', () => {
    const readme = readFileSync(README_FILE, 'utf8');
    for (const key of [
      'discover',
      'envPrefix',
      'services.<service>.run.after',
      'services.<service>.reads[].via',
      'profiles.<profile>.strategy',
      'rules',
    ]) {
      expect(readme).toContain(`| \`${key}\` |`);
    }
  });

  it('ships svcdb.schema.json in the package', () => {
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { files: string[] };
    expect(pkg.files).toContain('svcdb.schema.json');
  });
});

describe('svcdb.schema.json in an editor', () => {
  const yaml = (schemaLine: string, body: string) => `${schemaLine}\n${body}`;
  const modeline = '# yaml-language-server: $schema=./node_modules/svcdb/svcdb.schema.json';

  /** What yaml-language-server does: the schema the modeline names, relative to the file. */
  function validateAsEditor(dir: string, file: string) {
    const text = readFileSync(path.join(dir, file), 'utf8');
    const ref = /^# yaml-language-server: \$schema=(\S+)/m.exec(text)?.[1];
    expect(ref).toBeDefined();
    const schema = JSON.parse(readFileSync(path.resolve(dir, ref!), 'utf8')) as object;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    const ok = validate(loadYaml(text));
    return { ok, errors: (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`) };
  }

  function project(config: string, name = 'svcdb.config.yaml'): string {
    const dir = tempProject({
      [name]: config,
      'internal/ingestion/migrations/001_create_outbox.sql': 'CREATE TABLE outbox (id bigint);\n',
    });
    mkdirSync(path.join(dir, 'node_modules'));
    symlinkSync(repoRoot, path.join(dir, 'node_modules/svcdb'));
    return dir;
  }

  it('validates the platform config with a yaml-language-server modeline, and svcdb loads the same file', async () => {
    const platform = path.join(repoRoot, 'test/fixtures/config/platform');
    const dir = project('');
    cpSync(platform, dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'svcdb.config.yaml'),
      yaml(modeline, readFileSync(path.join(platform, 'svcdb.config.yaml'), 'utf8')),
    );
    expect(validateAsEditor(dir, 'svcdb.config.yaml')).toEqual({ ok: true, errors: [] });
    const r = await svcdb(['env', 'dev'], { cwd: dir, env: { DATABASE_URL: 'postgres://h/db' } });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
  });

  it('flags what svcdb rejects: an unknown key, a bad strategy, a bad service name', () => {
    const dir = project(
      yaml(modeline, 'envprefix: CJ_\nprofiles:\n  staging: { strategy: databse }\nservices:\n  "bad name": {}\n'),
    );
    const { ok, errors } = validateAsEditor(dir, 'svcdb.config.yaml');
    expect(ok).toBe(false);
    expect(errors).toEqual(
      expect.arrayContaining([
        ' must NOT have additional properties',
        '/profiles/staging/strategy must be equal to one of the allowed values',
        '/services must match pattern "^[A-Za-z0-9][A-Za-z0-9_.-]*$"',
      ]),
    );
  });

  it('a JSON config may name it in "$schema"', async () => {
    const dir = project(
      '{ "$schema": "./node_modules/svcdb/svcdb.schema.json", "envPrefix": "CJ_" }\n',
      'svcdb.config.json',
    );
    const r = await svcdb(['env', 'dev'], { cwd: dir, env: { DATABASE_URL: 'postgres://h/db' } });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('CJ_INGESTION_DATABASE_URL=postgres://h/db\n');
    writeFileSync(path.join(dir, 'svcdb.config.json'), '{ "$schema": 3 }\n');
    const bad = await svcdb(['env', 'dev'], { cwd: dir, env: { DATABASE_URL: 'postgres://h/db' } });
    expect(bad.stderr).toContain('svcdb.config.json: $schema: expected string, found number 3');
    expect(bad.exitCode).toBe(2);
  });
});

describe('the quick validator', () => {
  const fixtures = [
    'test/fixtures/runtime/mini/svcdb.config.json',
    'test/fixtures/ownership/seed/svcdb.config.yaml',
    'test/fixtures/ownership/rules/svcdb.config.json',
    'test/fixtures/config/platform/svcdb.config.yaml',
  ].map((f) => loadYaml(readFileSync(path.join(repoRoot, f), 'utf8')));
  const invalid: unknown[] = [
    null,
    [],
    'x',
    { discover: [] },
    { discover: [''] },
    { discover: 'x' },
    { envPrefix: 'a-b' },
    { envprefix: 'A' },
    { services: { '-a': {} } },
    { services: { a: { owns: [''] } } },
    { services: { a: { trackingTable: '1x' } } },
    { services: { a: { run: {} } } },
    { services: { a: { run: { command: 'x', port: 0 } } } },
    { services: { a: { run: { command: 'x', port: 1.5 } } } },
    { services: { a: { run: { command: 'x', port: 65536 } } } },
    { services: { a: { reads: [{ service: 'b' }] } } },
    { services: { a: { reads: [{ service: 'b', tables: ['t'], extra: 1 }] } } },
    { shared: { x: '' } },
    { profiles: { p: { strategy: 'nope' } } },
    { profiles: { p: { url: '' } } },
    { rules: { x: 'loud' } },
    { services: { a: { run: { command: 'x', env: { K: 1 } } } } },
    { $schema: 1 },
  ];
  const valid: unknown[] = [
    {},
    { discover: ['a/*/migrations'], envPrefix: '' },
    { services: { 'a.b-c_d': { path: 'x', databaseOf: 'y', run: { command: 'x', port: 65535, after: [], env: {} } } } },
    { profiles: { p: { strategy: 'schema', url: 'postgres://h/db' } } },
    { rules: { 'unknown-table': 'off' } },
    ...fixtures,
  ];

  it.each([...valid.map((c) => [c, true] as const), ...invalid.map((c) => [c, false] as const)])(
    'agrees with zod on %j',
    async (config, expected) => {
      const schema = await configSchema();
      expect(schema.safeParse(config).success).toBe(expected);
      expect(quickCheck(config)).toBe(expected);
    },
  );
});
