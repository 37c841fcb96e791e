// Renders ownership findings as text (grouped by service, code frame + caret), JSON, SARIF 2.1.0
// or GitHub workflow commands. Pure functions: result in, string out.
import type { ChalkInstance } from 'chalk';
import type { Finding } from '../../core/types.js';
import { RULES, defaultSeverity, type RuleMeta } from '../../core/ownership/rule-meta.js';
import type { CheckOwnershipResult } from '../../commands/check-ownership.js';

export type FindingsFormat = 'text' | 'json' | 'sarif' | 'github';

export function renderFindings(
  result: CheckOwnershipResult,
  format: FindingsFormat,
  opts: { paint: ChalkInstance; version: string },
): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(jsonDocument(result), null, 2)}\n`;
    case 'sarif':
      return `${JSON.stringify(sarifLog(result.findings, opts.version), null, 2)}\n`;
    case 'github':
      return renderGithub(result);
    default:
      return renderText(result, opts.paint);
  }
}

export function jsonDocument(result: CheckOwnershipResult): object {
  return {
    profile: result.profile,
    strategy: result.strategy,
    failed: result.failed,
    summary: result.summary,
    ...(result.warningsOverLimit !== undefined ? { maxWarnings: result.warningsOverLimit } : {}),
    ownership: result.ownership,
    findings: result.findings,
  };
}

/** What the text and GitHub renderers need: check-ownership's result, or check-migrations'. */
export type FindingsReport = Pick<CheckOwnershipResult, 'findings' | 'summary' | 'failed' | 'lines'> & {
  warningsOverLimit?: number;
};

export function renderText(result: FindingsReport, paint: ChalkInstance, clean = 'no ownership problems'): string {
  const groups = new Map<string, Finding[]>();
  for (const f of result.findings) {
    const key = f.service ?? '(no service)';
    const group = groups.get(key);
    if (group) group.push(f);
    else groups.set(key, [f]);
  }
  const out: string[] = [];
  for (const [service, findings] of groups) {
    out.push(paint.bold(service));
    for (const f of findings) {
      const level = f.severity === 'error' ? paint.red('error') : paint.yellow('warning');
      out.push(`  ${paint.cyan(`${f.file}:${f.line}:${f.column}`)}  ${level}  ${f.message}  ${paint.dim(f.rule)}`);
      out.push(...codeFrame(result.lines[f.file]?.[f.line], f, paint));
      if (f.hint) out.push(`    ${paint.dim('hint:')} ${f.hint}`);
    }
    out.push('');
  }
  const { errors, warnings, files, services } = result.summary;
  const tally = `${plural(errors, 'error')}, ${plural(warnings, 'warning')} in ${plural(files, 'file')} of ${plural(services, 'service')}`;
  out.push(
    result.findings.length === 0
      ? paint.green(`${clean} (${tally})`)
      : result.failed
        ? paint.red(tally)
        : paint.yellow(tally),
  );
  if (result.warningsOverLimit !== undefined) {
    out.push(
      paint.red(
        `failed: ${plural(warnings, 'warning')} exceed${warnings === 1 ? 's' : ''} --max-warnings ${result.warningsOverLimit}`,
      ),
    );
  }
  return `${out.join('\n')}\n`;
}

/** The source line with a caret under the table name. */
function codeFrame(line: string | undefined, f: Finding, paint: ChalkInstance): string[] {
  if (line === undefined) return [];
  const gutter = String(f.line);
  const pad = ' '.repeat(gutter.length);
  // Keep tabs in the caret line so the caret sits under the right character.
  const lead = line.slice(0, f.column - 1).replace(/[^\t]/g, ' ');
  const width = Math.max(1, Math.min(tableWidth(line, f), line.length - (f.column - 1)));
  return [
    `    ${paint.dim(`${gutter} |`)} ${line}`,
    `    ${paint.dim(`${pad} |`)} ${lead}${paint.red('^'.repeat(width))}`,
  ];
}

function tableWidth(line: string, f: Finding): number {
  const at = line.slice(f.column - 1);
  const m = /^("(?:[^"]|"")*"|[\w$]+)(?:\s*\.\s*("(?:[^"]|"")*"|[\w$]+))?/.exec(at);
  if (!m) return 1;
  // `billing.invoices` is one name; `this.orders.save(…)`, `prisma.auditEvent.create(…)` name the
  // table by their first part only.
  const second = m[2]?.replace(/^"|"$/g, '').toLowerCase();
  const name = f.table?.split('.').pop()?.toLowerCase();
  return m[2] === undefined || second === name ? m[0].length : m[1].length;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `::error file=…,line=…,col=…,title=…::message`, one line per finding. */
export function renderGithub(result: Pick<FindingsReport, 'findings'>): string {
  const lines = result.findings.map((f) => {
    const props = `file=${prop(f.file)},line=${f.line},col=${f.column},title=${prop(`svcdb ${f.rule}`)}`;
    return `::${f.severity === 'error' ? 'error' : 'warning'} ${props}::${data(f.hint ? `${f.message}\nhint: ${f.hint}` : f.message)}`;
  });
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

function data(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function prop(s: string): string {
  return data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** A SARIF 2.1.0 log: one run, the rule catalogue in the driver, one result per finding. */
export function sarifLog(
  findings: Finding[],
  version: string,
  catalogue: { rules: RuleMeta[]; level(rule: string): string } = {
    rules: RULES,
    level: (id) => defaultSeverity(id, 'shared'),
  },
): object {
  const index = new Map(catalogue.rules.map((r, i) => [r.id, i]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'svcdb',
            semanticVersion: version,
            version,
            rules: catalogue.rules.map((r) => ({
              id: r.id,
              name: r.name,
              shortDescription: { text: r.short },
              fullDescription: { text: r.help },
              help: { text: r.help, markdown: `**${r.short}.** ${r.help}` },
              // The strictest strategy's severity (table-collision is an error only under `shared`).
              defaultConfiguration: { level: catalogue.level(r.id) },
            })),
          },
        },
        columnKind: 'utf16CodeUnits',
        results: findings.map((f) => ({
          ruleId: f.rule,
          ...(index.has(f.rule) ? { ruleIndex: index.get(f.rule) } : {}),
          level: f.severity === 'error' ? 'error' : 'warning',
          message: { text: f.hint ? `${f.message}. Safe rewrite: ${f.hint}` : f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: encodeURI(f.file) },
                region: {
                  startLine: f.line,
                  startColumn: f.column,
                  ...(f.table ? { endColumn: f.column + f.table.length } : {}),
                },
              },
            },
          ],
          partialFingerprints: { svcdbFinding: `${f.rule}:${f.file}:${f.table ?? ''}:${f.service ?? ''}` },
          properties: { service: f.service, table: f.table, owner: f.owner, ...(f.usedBy ? { usedBy: f.usedBy } : {}) },
        })),
      },
    ],
  };
}
