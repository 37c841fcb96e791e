// From the per-file analyses to findings: ownership rules, severities, suppressions.
import type { Finding, Project, Service, Severity, Strategy } from '../types.js';
import { compareFindings } from '../findings.js';
import type { FileAnalysis, TableRef } from './refs.js';
import { isUnder, type Attributor } from './attribution.js';
import { describeObject } from './created.js';
import { parseQualifiedName, type OwnershipMap } from './owners.js';
import { defaultSeverity } from './rule-meta.js';

export interface RuleInput {
  project: Project;
  strategy: Strategy;
  analyses: FileAnalysis[];
  ownership: OwnershipMap;
  attribution: Attributor;
  /** relPath → service, for the migration files */
  migrationOwner: Map<string, string>;
}

/** "users'" for a name ending in s, "billing's" otherwise. */
export function possessive(name: string): string {
  return /s$/i.test(name) ? `${name}'` : `${name}'s`;
}

interface Draft extends Finding {
  /** lines where a suppression comment silences this finding */
  suppressLines: number[];
}

export function evaluate(input: RuleInput): Finding[] {
  const services = new Map(input.project.services.map((s) => [s.name, s]));
  const drafts: Draft[] = [];
  for (const a of input.analyses) {
    const owner = input.migrationOwner.get(a.file);
    const users = owner ? [owner] : input.attribution.servicesOf(a.file);
    const serviceName = users[0] ?? null;
    const isMigration = owner !== undefined;
    for (const ref of a.refs) {
      const d =
        users.length > 1
          ? sharedFinding(input, services, users, a.file, ref)
          : refFinding(input, services.get(serviceName ?? ''), serviceName, a.file, ref, isMigration);
      if (d) drafts.push(d);
    }
    for (const diag of a.diagnostics) {
      drafts.push({
        rule: diag.rule,
        severity: 'warning',
        file: a.file,
        line: diag.line,
        column: diag.column,
        service: serviceName,
        table: null,
        owner: null,
        message: diag.message,
        suppressLines: [diag.line, diag.line - 1],
      });
    }
  }
  drafts.push(...collisions(input));
  const kept = applySuppressions(drafts, input.analyses, input.attribution, input.migrationOwner);
  return applySeverities(kept, input.project.config.rules ?? {}, input.strategy);
}

/**
 * Code that several services use (a `shared` entry naming a list): fine when it is fine for
 * any of them (one of them owns the table, or declared the read); else the finding of the first
 * and the message names every service that uses the code.
 */
function sharedFinding(
  input: RuleInput,
  services: Map<string, Service>,
  users: string[],
  file: string,
  ref: TableRef,
): Draft | null {
  let first: Draft | null = null;
  for (const user of users) {
    const d = refFinding(input, services.get(user), user, file, ref, false);
    if (!d) return null;
    first ??= d;
  }
  if (!first) return null;
  const label = `shared code used by ${users.slice(0, -1).join(', ')} and ${users[users.length - 1]}`;
  const rest = first.message.startsWith(users[0]) ? first.message.slice(users[0].length) : `: ${first.message}`;
  return { ...first, usedBy: [...users], message: `${label}${rest}` };
}

function refFinding(
  input: RuleInput,
  service: Service | undefined,
  serviceName: string | null,
  file: string,
  ref: TableRef,
  isMigration: boolean,
): Draft | null {
  if (!serviceName) return null;
  // Types and functions are not tables; indexes are judged by who created them.
  if (ref.object === 'type' || ref.object === 'function') return null;
  if (ref.object === 'index') return indexFinding(input, serviceName, file, ref);
  if (
    ref.access === 'create' &&
    isMigration &&
    (!ref.schema || !input.ownership.services.has(ref.schema) || ref.schema === serviceName)
  )
    return null;
  const owners = input.ownership.ownersOf(ref.schema, ref.name);
  const table = ref.schema ? `${ref.schema}.${ref.name}` : ref.name;
  const base = {
    severity: 'error' as Severity,
    file,
    line: ref.line,
    column: ref.column,
    service: serviceName,
    table,
    suppressLines: [ref.line, ref.line - 1, ref.statementLine, ref.statementLine - 1],
  };
  if (owners.length === 0) {
    if (ref.catalog) return null; // pg_stat_activity and the other system catalogs
    return {
      ...base,
      rule: 'unknown-table',
      owner: null,
      message: `${serviceName}: ${ref.verb} on table ${table}, which no service owns`,
    };
  }
  if (owners.includes(serviceName)) return null;
  const owner = owners[0];
  if (ref.access === 'write' || ref.access === 'create') {
    return {
      ...base,
      rule: 'cross-service-write',
      owner,
      message: `${serviceName} writes ${possessive(owner)} table ${table} (${ref.verb})`,
    };
  }
  if (ref.access === 'fk') {
    return {
      ...base,
      rule: 'cross-service-fk',
      owner,
      message: `${serviceName} has a foreign key to ${possessive(owner)} table ${table}: it cannot hold across databases`,
    };
  }
  const declared = (service?.reads ?? []).find(
    (r) =>
      r.service === owner &&
      (r.tables.length === 0 || r.tables.some((t) => t === '*' || parseQualifiedName(t).name === ref.name)),
  );
  if (!declared) {
    return {
      ...base,
      rule: 'cross-service-read',
      owner,
      message: `${serviceName} reads ${possessive(owner)} table ${table} without declaring it`,
    };
  }
  if (declared.via.length === 0 || declared.via.some((v) => isUnder(file, v))) return null;
  return {
    ...base,
    rule: 'read-outside-contract',
    owner,
    message: `${serviceName} reads ${possessive(owner)} table ${table} from ${file}, outside its declared via folders (${declared.via.join(', ')})`,
  };
}

/** `DROP INDEX`, `ALTER INDEX`, `REINDEX`: a write to another service's index, else nothing. */
function indexFinding(input: RuleInput, serviceName: string, file: string, ref: TableRef): Draft | null {
  if (ref.access === 'create') return null;
  const owners = input.ownership.indexOwnersOf(ref.schema, ref.name);
  if (owners.length === 0 || owners.includes(serviceName)) return null;
  const index = ref.schema ? `${ref.schema}.${ref.name}` : ref.name;
  return {
    rule: 'cross-service-write',
    severity: 'error',
    file,
    line: ref.line,
    column: ref.column,
    service: serviceName,
    table: index,
    owner: owners[0],
    message: `${serviceName} writes ${possessive(owners[0])} index ${index} (${ref.verb})`,
    suppressLines: [ref.line, ref.line - 1, ref.statementLine, ref.statementLine - 1],
  };
}

function collisions(input: RuleInput): Draft[] {
  const out: Draft[] = [];
  for (const [, list] of input.ownership.collisions()) {
    for (const c of list) {
      const others = [...new Set(list.filter((o) => o.service !== c.service).map((o) => o.service))].sort();
      const first = list.find((o) => o.service === others[0]);
      out.push({
        rule: 'table-collision',
        severity: 'error',
        file: c.file,
        line: c.line,
        column: c.column,
        service: c.service,
        table: c.name,
        owner: others[0] ?? null,
        message: `${c.service} creates ${describeObject(c, c.name)}, also created by ${others.join(', ')}${first ? ` (${first.file}:${first.line})` : ''}`,
        suppressLines: [c.line, c.line - 1],
      });
    }
  }
  return out;
}

/** `svcdb-ignore <rule>: <reason>` silences one finding on its line or the next. */
function applySuppressions(
  drafts: Draft[],
  analyses: FileAnalysis[],
  attribution: Attributor,
  migrationOwner: Map<string, string>,
): Finding[] {
  const byFile = new Map(analyses.map((a) => [a.file, a.suppressions.map((s) => ({ ...s, used: false }))]));
  const kept: Finding[] = [];
  const sorted = [...drafts].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  for (const d of sorted) {
    const list = byFile.get(d.file) ?? [];
    const s = list.find((x) => !x.used && x.rule === d.rule && d.suppressLines.includes(x.line));
    if (s) {
      s.used = true;
      continue;
    }
    const { suppressLines: _ignored, ...finding } = d;
    kept.push(finding);
  }
  for (const [file, list] of byFile) {
    for (const s of list) {
      if (s.reason !== null) continue;
      kept.push({
        rule: 'suppression-without-reason',
        severity: 'warning',
        file,
        line: s.line,
        column: s.column,
        service: migrationOwner.get(file) ?? attribution.serviceOf(file),
        table: null,
        owner: null,
        message: `svcdb-ignore ${s.rule} has no reason: write \`svcdb-ignore ${s.rule}: <why this is fine>\``,
      });
    }
  }
  return kept;
}

function applySeverities(findings: Finding[], rules: Record<string, string>, strategy: Strategy): Finding[] {
  const out: Finding[] = [];
  for (const f of findings) {
    const configured = rules[f.rule];
    if (configured === 'off') continue;
    const severity =
      configured === 'error' || configured === 'warning' ? configured : defaultSeverity(f.rule, strategy);
    out.push({ ...f, severity });
  }
  return out.sort(compareFindings);
}
