// The ownership lint: which service owns which table, and who touches what.
import type { Finding, Migration, Project, Strategy } from '../types.js';
import { attributor } from './attribution.js';
import { collectFiles, migrationFiles, toRel } from './collect.js';
import { buildOwnership } from './owners.js';
import { analyzeFiles } from './pool.js';
import { evaluate } from './rules.js';

export { RULES, RULE_IDS, defaultSeverity, type RuleMeta } from './rule-meta.js';

export { warmUpParser } from './sql/parser.js';

export interface LintOptions {
  strategy: Strategy;
  /** worker threads; default: by input size and cores; 0 = in-process */
  workers?: number;
}

export interface LintResult {
  findings: Finding[];
  /** files read */
  files: number;
  /** service → tables it owns (created by its migrations or named in `owns`), as `svcdb services` lists them */
  ownership: Record<string, string[]>;
  /** files that could not be read, with the reason */
  unreadable: Array<{ file: string; error: string }>;
}

export async function lintProject(project: Project, opts: LintOptions): Promise<LintResult> {
  const collected = collectFiles(project);
  const analyses = await analyzeFiles(collected.tasks, {
    workers: opts.workers,
    analysis: { helpers: project.config.queryHelpers },
  });
  const ownership = buildOwnership(project, analyses, collected.migrationOwner);
  const findings = evaluate({
    project,
    strategy: opts.strategy,
    analyses,
    ownership,
    attribution: attributor(project),
    migrationOwner: collected.migrationOwner,
  });
  const owned = ownership.ownedTables();
  const unreadable = [
    ...collected.unreadable,
    ...analyses.filter((a) => a.error).map((a) => ({ file: a.file, error: a.error ?? '' })),
  ];
  return { findings, files: analyses.length, ownership: owned, unreadable };
}

/**
 * Findings for some migrations (e.g. the pending ones `plan` shows), judged against the
 * ownership every service's migrations establish. Source files are not read.
 */
export async function lintMigrations(
  project: Project,
  migrations: Migration[],
  strategy: Strategy,
): Promise<Finding[]> {
  const collected = collectFiles(project, { migrationsOnly: true });
  const wanted = new Set(migrationFiles(migrations).map((f) => toRel(project.root, f.path)));
  // Pending migrations not yet known to the project (a caller's own list) are read too.
  for (const m of migrations) {
    for (const f of migrationFiles([m])) {
      const relPath = toRel(project.root, f.path);
      if (!collected.migrationOwner.has(relPath)) {
        collected.tasks.push({ path: f.path, relPath, kind: 'sql' });
        collected.migrationOwner.set(relPath, f.service);
      }
    }
  }
  const analyses = await analyzeFiles(collected.tasks, { analysis: { helpers: project.config.queryHelpers } });
  const ownership = buildOwnership(project, analyses, collected.migrationOwner);
  const findings = evaluate({
    project,
    strategy,
    analyses,
    ownership,
    attribution: attributor(project),
    migrationOwner: collected.migrationOwner,
  });
  return findings.filter((f) => wanted.has(f.file));
}
