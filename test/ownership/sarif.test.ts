// The SARIF output validates against the SARIF 2.1.0 JSON schema shipped beside this test.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

// The class (vitest hands over module.exports' default; NodeNext types see the module object).
const Ajv = AjvDraft04 as unknown as typeof AjvDraft04.default;

const schema = JSON.parse(readFileSync(path.join(__dirname, 'sarif-schema-2.1.0.json'), 'utf8')) as object;
const rules = path.resolve(__dirname, '../fixtures/ownership/rules');

describe('check-ownership --format sarif', () => {
  it('is a valid SARIF 2.1.0 log with rule metadata, relative URIs and regions', async () => {
    const r = await runCli(['check-ownership', '--cwd', rules, '--format', 'sarif']);
    expect(r.exitCode).toBe(1);
    const log = JSON.parse(r.stdout) as {
      version: string;
      runs: Array<{
        tool: { driver: { name: string; rules: Array<{ id: string; help: { text: string } }> } };
        results: Array<{
          ruleId: string;
          ruleIndex: number;
          level: string;
          locations: Array<{
            physicalLocation: {
              artifactLocation: { uri: string };
              region: { startLine: number; startColumn: number; endColumn?: number };
            };
          }>;
        }>;
      }>;
    };
    const validate = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false, validateFormats: false }).compile(
      schema,
    );
    const valid = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    const run = log.runs[0];
    expect(log.version).toBe('2.1.0');
    expect(run.tool.driver.name).toBe('svcdb');
    expect(run.tool.driver.rules.map((x) => x.id)).toContain('cross-service-read');
    for (const rule of run.tool.driver.rules) expect(rule.help.text.length).toBeGreaterThan(20);
    const fk = run.results.find((x) => x.ruleId === 'cross-service-fk');
    expect(run.tool.driver.rules[fk!.ruleIndex].id).toBe('cross-service-fk');
    expect(fk!.level).toBe('error');
    expect(fk!.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'internal/ingestion/migrations/002_link_projection.sql' },
      region: { startLine: 2, startColumn: 63, endColumn: 74 },
    });
    expect(run.results).toHaveLength(11);
    // The schema really is checked: a region starting at line 0 is rejected.
    fk!.locations[0].physicalLocation.region.startLine = 0;
    expect(validate(log)).toBe(false);
  });

  it('is valid with no findings too', async () => {
    const r = await runCli([
      'check-ownership',
      '--cwd',
      path.resolve(__dirname, '../fixtures/ownership/seed'),
      '--format',
      'sarif',
    ]);
    expect(r.exitCode).toBe(0);
    const validate = new Ajv({ strict: false, unicodeRegExp: false, validateFormats: false }).compile(schema);
    expect(validate(JSON.parse(r.stdout))).toBe(true);
  });
});
