// `svcdb check-ownership`: the cross-service table-access lint over the whole project.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../core/errors.js';
import { RULE_IDS, lintProject, warmUpParser } from '../core/ownership/index.js';
import { getProfile } from '../core/profiles.js';
import { loadProject } from '../core/project.js';
import type { Finding, Strategy } from '../core/types.js';
import type { LintResult } from '../core/ownership/index.js';
import { assertServicesFound } from './services-found.js';

export interface CheckOwnershipOptions {
  cwd: string;
  configFile?: string;
  /** profile whose strategy sets the severity of `table-collision` */
  profile: string;
  env?: NodeJS.ProcessEnv;
  /** fail when there are more warnings than this */
  maxWarnings?: number;
  /** worker threads (0 = in-process); default chosen from the input size */
  workers?: number;
}

export interface CheckOwnershipResult {
  root: string;
  profile: string;
  strategy: Strategy;
  findings: Finding[];
  summary: { errors: number; warnings: number; files: number; services: number };
  /** service → tables it owns */
  ownership: Record<string, string[]>;
  /** true when the lint fails: an error-level finding, or more warnings than allowed */
  failed: boolean;
  /** the --max-warnings limit when the warnings exceeded it (so the output can say why it failed) */
  warningsOverLimit?: number;
  /** the source lines the findings point at ("file" → line → text), for code frames */
  lines: Record<string, Record<number, string>>;
}

export async function checkOwnership(opts: CheckOwnershipOptions): Promise<CheckOwnershipResult> {
  if (opts.maxWarnings !== undefined && (!Number.isInteger(opts.maxWarnings) || opts.maxWarnings < 0)) {
    throw new UserError(`--max-warnings must be a whole number ≥ 0, got ${opts.maxWarnings}`, {
      where: '--max-warnings',
      hint: 'e.g. --max-warnings 0',
    });
  }
  // The parser's WASM compiles off the main thread while the project loads.
  warmUpParser();
  // The lint reads every migration file itself (with the SQL parser): the project model's own
  // parse of them (sections, statements, checksums) is not needed here.
  const project = await loadProject({
    cwd: opts.cwd,
    configFile: opts.configFile,
    env: opts.env ?? process.env,
    readMigrations: false,
  });
  assertServicesFound(project); // fail closed: an empty project is not "no ownership problems"
  checkRuleNames(
    project.config.rules ?? {},
    project.configPath ? path.relative(project.root, project.configPath) : 'config',
  );
  const strategy = getProfile(project, opts.profile).strategy;
  // Fail closed: a lint that looked at nothing, or could not look everywhere, must not pass.
  if (project.services.length === 0) {
    throw new UserError(`no services found under ${project.root}`, {
      where: 'discover',
      hint: `no folder matches ${project.config.discover.map((g) => `"${g}"`).join(', ')}; check --cwd, or set discover in the config`,
    });
  }
  let lint: LintResult;
  try {
    lint = await lintProject(project, { strategy, workers: opts.workers });
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`the lint could not finish: ${(e as Error).message}`, {
      hint: 'rerun with --debug for details; SVCDB_LINT_WORKERS=0 analyses in one thread',
      cause: e,
    });
  }
  if (lint.unreadable.length > 0) {
    const list = lint.unreadable.map((u) => `${u.file}: ${u.error}`);
    throw new UserError(
      `${lint.unreadable.length === 1 ? 'a file' : `${lint.unreadable.length} files`} could not be read, so the lint cannot vouch for them:\n  ${list.join('\n  ')}`,
      {
        hint: 'fix the permission or the link, or move the file out of the service folder',
      },
    );
  }
  if (lint.files === 0) {
    throw new UserError(
      `no migrations or source files to check in ${project.services.length === 1 ? 'the one service' : `${project.services.length} services`} found`,
      {
        where: project.root,
        hint: 'check --cwd and the discover globs',
      },
    );
  }
  return result(opts, project.root, project.services.length, strategy, lint);
}

async function result(
  opts: CheckOwnershipOptions,
  root: string,
  services: number,
  strategy: Strategy,
  lint: LintResult,
): Promise<CheckOwnershipResult> {
  const errors = lint.findings.filter((f) => f.severity === 'error').length;
  const warnings = lint.findings.length - errors;
  const overLimit = opts.maxWarnings !== undefined && warnings > opts.maxWarnings;
  const failed = errors > 0 || overLimit;
  return {
    ...(overLimit ? { warningsOverLimit: opts.maxWarnings } : {}),
    root,
    profile: opts.profile,
    strategy,
    findings: lint.findings,
    summary: { errors, warnings, files: lint.files, services },
    ownership: lint.ownership,
    failed,
    lines: sourceLines(root, lint.findings),
  };
}

/** `rules:` keys must name lint rules: a typo would otherwise silently change nothing. */
function checkRuleNames(rules: Record<string, string>, configFile: string): void {
  for (const rule of Object.keys(rules)) {
    if (RULE_IDS.has(rule)) continue;
    throw new UserError(`unknown rule "${rule}"`, {
      where: `${configFile}: rules.${rule}`,
      hint: `known rules: ${[...RULE_IDS].join(', ')}`,
    });
  }
}

function sourceLines(root: string, findings: Finding[]): Record<string, Record<number, string>> {
  const wanted = new Map<string, Set<number>>();
  for (const f of findings) {
    const set = wanted.get(f.file) ?? new Set<number>();
    set.add(f.line);
    wanted.set(f.file, set);
  }
  const out: Record<string, Record<number, string>> = {};
  // Sync reads (node:fs/promises alone costs ~3 ms to load, more than these few reads).
  for (const [file, lines] of wanted) {
    try {
      const text = readFileSync(path.join(root, file), 'utf8');
      const all = text.split('\n');
      out[file] = {};
      for (const n of lines) out[file][n] = (all[n - 1] ?? '').replace(/\r$/, '');
    } catch {
      // a file that vanished since the lint read it: the finding is printed without a frame
    }
  }
  return out;
}
