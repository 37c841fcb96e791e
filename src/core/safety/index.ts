// The migration-safety lint (`svcdb check-migrations`, and `plan` for what is pending): each
// migration as svcdb will run it, checked against squawk's rules, with suppressions and
// severities applied. Findings share check-ownership's model (plus `hint`).
import { readFileSync } from 'node:fs';
import { UserError, UserErrors } from '../errors.js';
import { compareFindings } from '../findings.js';
import type { Finding, Migration, RuleSeverity } from '../types.js';
import { loadParser, withParseCache } from '../ownership/sql/parser.js';
import { prepareTransactions, TransactionRefusal } from '../sources/transactions.js';
import { checkMigration, type SafetyDraft } from './check.js';
import { SAFETY_RULES, safetyRule } from './rule-meta.js';

export { SAFETY_RULES, SAFETY_RULE_IDS, type SafetyRule } from './rule-meta.js';

/** The newest PostgreSQL major version the rules know about: assumed when nothing says otherwise. */
export const NEWEST_POSTGRES = 18;

export interface SafetyOptions {
  postgresVersion: number;
  rules: Record<string, RuleSeverity>;
  /** filled with the text of each file read for its suppressions (by relPath): the caller's code frames need not read them again */
  texts?: Map<string, string>;
}

/** Starts loading the parser; lintSafety awaits it (and sees any failure). */
export function warmUpSafety(): void {
  loadParser().catch(() => undefined);
}

export async function lintSafety(migrations: Migration[], opts: SafetyOptions): Promise<Finding[]> {
  await loadParser();
  return withParseCache(() => lint(migrations, opts));
}

async function lint(migrations: Migration[], opts: SafetyOptions): Promise<Finding[]> {
  const out: Finding[] = [];
  // How svcdb will run each file (inside a transaction or not, wrapper dropped) is decided by
  // prepareTransactions, the runner's own step; what it refuses is a finding here. All at once
  // first (the usual case: nothing refused), file by file when something is.
  let prepared: Migration[] | null = null;
  try {
    prepared = await prepareTransactions(migrations);
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
  }
  for (const [i, m] of migrations.entries()) {
    const { migration, refusals } = prepared ? { migration: prepared[i], refusals: [] } : await asRun(m);
    const drafts = [...checkMigration(migration, opts.postgresVersion), ...refusals];
    out.push(...suppress(m, drafts, opts.texts));
  }
  return severities(out, opts.rules);
}

async function asRun(m: Migration): Promise<{ migration: Migration; refusals: SafetyDraft[] }> {
  try {
    const [prepared] = await prepareTransactions([m]);
    return { migration: prepared, refusals: [] };
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    const list = err instanceof UserErrors ? err.errors : [err];
    const refusals = list.map((e): SafetyDraft => {
      const line = Number(/:(\d+)$/.exec(e.where ?? '')?.[1] ?? 1);
      const rule =
        e instanceof TransactionRefusal && e.kind === 'concurrently-in-transaction'
          ? 'ban-concurrent-index-creation-in-transaction'
          : 'transaction-nesting';
      return {
        rule,
        line,
        column: 1,
        statementLine: line,
        table: null,
        message: `${e.message}${e.hint ? ` (${e.hint})` : ''}`,
      };
    });
    return {
      migration: {
        ...m,
        transaction: !refusals.some((r) => r.rule === 'ban-concurrent-index-creation-in-transaction') && m.transaction,
      },
      refusals,
    };
  }
}

// `-- svcdb-ignore <rule>: <reason>` and squawk's `-- squawk-ignore <rule>[, <rule>]`, on the
// line of the statement or the line above; `-- squawk-ignore-file [<rule>, ...]` for the file.
const SVCDB_IGNORE = /svcdb-ignore\s+([a-z][a-z-]*)/;
const SQUAWK_IGNORE = /squawk-ignore(-file)?\b[ \t]*([a-z-, \t]*)/;

interface Ignore {
  line: number;
  rules: Set<string> | 'all';
  file: boolean;
}

function ignoresOf(text: string): Ignore[] {
  if (!text.includes('-ignore')) return [];
  const out: Ignore[] = [];
  text.split('\n').forEach((l, i) => {
    const svcdb = SVCDB_IGNORE.exec(l);
    if (svcdb) out.push({ line: i + 1, rules: new Set([svcdb[1]]), file: false });
    const squawk = SQUAWK_IGNORE.exec(l);
    if (squawk) {
      const rules = squawk[2].split(/[\s,]+/).filter(Boolean);
      out.push({ line: i + 1, rules: rules.length ? new Set(rules) : 'all', file: Boolean(squawk[1]) });
    }
  });
  return out;
}

function suppress(m: Migration, drafts: SafetyDraft[], texts?: Map<string, string>): Finding[] {
  if (drafts.length === 0) return []; // nothing to suppress: the file need not be read again
  let ignores: Ignore[] = [];
  try {
    const text = readFileSync(m.path, 'utf8');
    texts?.set(m.relPath, text);
    ignores = ignoresOf(text);
  } catch {
    // the project model read the file a moment ago; a vanished file simply has no comments
  }
  const covers = (ig: Ignore, d: SafetyDraft) =>
    (ig.rules === 'all' || ig.rules.has(d.rule)) &&
    (ig.file || [d.line, d.line - 1, d.statementLine, d.statementLine - 1].includes(ig.line));
  return drafts
    .filter((d) => !ignores.some((ig) => covers(ig, d)))
    .map((d) => {
      const meta = safetyRule(d.rule);
      return {
        rule: d.rule,
        severity: meta?.severity ?? 'warning',
        file: m.relPath,
        line: d.line,
        column: d.column,
        service: m.service,
        table: d.table,
        owner: null,
        message: d.message,
        hint: meta?.hint ?? '',
      };
    });
}

function severities(findings: Finding[], rules: Record<string, RuleSeverity>): Finding[] {
  const out: Finding[] = [];
  for (const f of findings) {
    const configured = rules[f.rule];
    if (configured === 'off') continue;
    out.push(configured ? { ...f, severity: configured } : f);
  }
  return out.sort(compareFindings);
}

export function safetyRuleNames(): string[] {
  return SAFETY_RULES.map((r) => r.id);
}
