// `svcdb check-migrations`: the migration-safety lint (squawk's rules, knowing what svcdb does
// with each file) over the migrations about to ship: pending somewhere, changed since a git
// ref, or all of them; files up to a service's baseline are left alone.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../core/errors.js';
import { computePlan, findMigration } from '../core/plan.js';
import { profileNeedsBaseUrl } from '../core/profiles.js';
import { loadProject } from '../core/project.js';
import type { Finding, Migration, Project, Service } from '../core/types.js';

export interface CheckMigrationsOptions {
  cwd: string;
  configFile?: string;
  profile?: string;
  env?: NodeJS.ProcessEnv;
  services?: string[];
  allMigrations?: boolean;
  /** a git ref: check the migration files changed since it */
  since?: string;
}

export type Scope = 'all' | 'since' | 'pending' | 'all (no database reachable)';

export interface CheckMigrationsResult {
  root: string;
  scope: Scope;
  postgresVersion: { version: number; source: 'config' | 'server' | 'assumed' };
  /** what the user should know about how the check was made (fallbacks, assumptions) */
  notes: string[];
  findings: Finding[];
  summary: { errors: number; warnings: number; files: number; services: number };
  failed: boolean;
  lines: Record<string, Record<number, string>>;
}

export async function checkMigrations(opts: CheckMigrationsOptions): Promise<CheckMigrationsResult> {
  const env = opts.env ?? process.env;
  const profile = opts.profile ?? env.SVCDB_PROFILE ?? 'dev';
  if (opts.allMigrations && opts.since !== undefined) throw new UserError('use --all-migrations or --since, not both');
  // The rules' module and the parser's WASM load while the project is read (the WASM compiles
  // off the main thread); a failure resurfaces when the lint awaits them.
  const safety = import('../core/safety/index.js');
  safety.then((m) => m.warmUpSafety()).catch(() => undefined);
  const project = await loadProject({ cwd: opts.cwd, configFile: opts.configFile, env });
  const settings = project.config.checkMigrations;
  const configFile = project.configPath ? path.relative(project.root, project.configPath) : 'config';
  const { SAFETY_RULE_IDS, NEWEST_POSTGRES, lintSafety } = await safety;
  for (const rule of Object.keys(settings.rules)) {
    if (!SAFETY_RULE_IDS.has(rule))
      throw new UserError(`unknown rule "${rule}"`, {
        where: `${configFile}: checkMigrations.rules.${rule}`,
        hint: `known rules: ${[...SAFETY_RULE_IDS].join(', ')}`,
      });
  }
  const services = pick(project, opts.services ?? []);
  const afterBaseline = baseline(project, configFile);
  const notes: string[] = [];
  let scope: Scope;
  let serverVersion: number | undefined;
  let chosen: Migration[];
  if (opts.allMigrations) {
    scope = 'all';
    chosen = services.flatMap((s) => afterBaseline(s));
  } else if (opts.since !== undefined) {
    scope = 'since';
    const changed = await changedSince(project.root, opts.since);
    chosen = services.flatMap((s) =>
      afterBaseline(s).filter(
        (m) =>
          changed.has(m.relPath) ||
          (m.downPath !== undefined && changed.has(path.relative(project.root, m.downPath).split(path.sep).join('/'))),
      ),
    );
  } else {
    const pending = await pendingMigrations({ ...opts, env, profile }, project, services);
    serverVersion = pending.serverVersion;
    if (pending.ids) {
      scope = 'pending';
      chosen = services.flatMap((s) => afterBaseline(s).filter((m) => pending.ids!.has(`${s.name}\0${m.id}`)));
    } else {
      scope = 'all (no database reachable)';
      notes.push(
        `no database reachable (${pending.reason}): checking every migration instead of the pending ones; use --since <ref> or --all-migrations to choose`,
      );
      chosen = services.flatMap((s) => afterBaseline(s));
    }
  }
  const postgresVersion =
    settings.postgresVersion !== undefined
      ? { version: Math.floor(settings.postgresVersion), source: 'config' as const }
      : serverVersion !== undefined
        ? { version: serverVersion, source: 'server' as const }
        : { version: NEWEST_POSTGRES, source: 'assumed' as const };
  if (postgresVersion.source === 'assumed')
    notes.push(
      `PostgreSQL version unknown: assuming ${NEWEST_POSTGRES} (set checkMigrations.postgresVersion in ${configFile})`,
    );
  const texts = new Map<string, string>();
  const findings = await lintSafety(chosen, { postgresVersion: postgresVersion.version, rules: settings.rules, texts });
  const errors = findings.filter((f) => f.severity === 'error').length;
  return {
    root: project.root,
    scope,
    postgresVersion,
    notes,
    findings,
    summary: { errors, warnings: findings.length - errors, files: chosen.length, services: services.length },
    failed: errors > 0,
    lines: sourceLines(project.root, findings, texts),
  };
}

function pick(project: Project, names: string[]): Service[] {
  if (!names.length) return project.services;
  const unknown = names.filter((n) => !project.services.some((s) => s.name === n));
  if (unknown.length)
    throw new UserError(`unknown service${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`, {
      hint: `known services: ${project.services.map((s) => s.name).join(', ') || '(none found)'}`,
    });
  return [...new Set(names)].map((n) => project.services.find((s) => s.name === n)!);
}

/** checkMigrations.baseline: per service, the last migration not to check (by id or version). */
function baseline(project: Project, configFile: string): (s: Service) => Migration[] {
  const entries = project.config.checkMigrations.baseline;
  for (const [name, ref] of Object.entries(entries)) {
    const service = project.services.find((s) => s.name === name);
    const where = `${configFile}: checkMigrations.baseline.${name}`;
    if (!service)
      throw new UserError(`unknown service "${name}"`, {
        where,
        hint: `known services: ${project.services.map((s) => s.name).join(', ')}`,
      });
    if (!findMigration(service.migrations, ref))
      throw new UserError(`service ${name} has no migration "${ref}"`, {
        where,
        hint: `give a migration id or version, e.g. ${service.migrations.at(-1)?.id ?? '001_init'}`,
      });
  }
  return (s) => {
    const ref = entries[s.name];
    if (ref === undefined) return s.migrations;
    const last = findMigration(s.migrations, ref)!;
    return s.migrations.slice(s.migrations.indexOf(last) + 1);
  };
}

async function changedSince(root: string, ref: string): Promise<Set<string>> {
  const { spawnSync } = await import('node:child_process'); // only --since runs git
  const git = (args: string[]) => spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  const top = git(['rev-parse', '--show-toplevel']);
  if (top.status !== 0) throw new UserError(`--since ${ref}: ${root} is not in a git repository`, { where: '--since' });
  if (git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).status !== 0) {
    throw new UserError(`--since ${ref}: no such git commit, branch or tag`, {
      where: '--since',
      hint: 'e.g. --since origin/main',
    });
  }
  // Committed changes since the ref, plus what is staged, modified or untracked now.
  const diff = git(['diff', '--name-only', '--relative', ref, '--']);
  const untracked = git(['ls-files', '--others', '--exclude-standard']);
  const files = `${diff.stdout}\n${untracked.stdout}`.split('\n').filter(Boolean);
  return new Set(files);
}

/** Pending ids (`service\0id`) from each service's history, or why no database could be read. */
async function pendingMigrations(
  opts: CheckMigrationsOptions & { env: NodeJS.ProcessEnv; profile: string },
  project: Project,
  services: Service[],
): Promise<{ ids?: Set<string>; reason?: string; serverVersion?: number }> {
  // A lint does not start the embedded server: without a URL there is nothing to ask.
  if (profileNeedsBaseUrl(project, opts.profile, opts.env))
    return { reason: `profile ${opts.profile} has no DATABASE_URL or <SERVICE>_DATABASE_URL` };
  // the database side loads only when it is asked (not for --all-migrations or --since)
  const { loadContext, describeError } = await import('./context.js');
  let ctx: Awaited<ReturnType<typeof loadContext>>;
  try {
    ctx = await loadContext({ cwd: opts.cwd, config: opts.configFile, profile: opts.profile, env: opts.env });
  } catch (err) {
    return { reason: describeError(err).message };
  }
  const { openReader } = await import('../db/session.js');
  const { serverMajorVersion } = await import('../db/server-version.js');
  const ids = new Set<string>();
  let serverVersion: number | undefined;
  for (const service of services) {
    const s = ctx.project.services.find((x) => x.name === service.name)!;
    try {
      const session = await openReader(s, ctx.targetOf(s), { waitMs: 1000 });
      try {
        if (session.sql && serverVersion === undefined) serverVersion = await serverMajorVersion(session.sql);
      } finally {
        await session.close();
      }
      for (const m of computePlan(s.name, s.migrations, session.rows).pending) ids.add(`${s.name}\0${m.id}`);
    } catch (err) {
      return { reason: describeError(err).message };
    }
  }
  return { ids, serverVersion };
}

/** The lines findings point at (1-based), per file; `texts` holds the files the lint read already. */
function sourceLines(
  root: string,
  findings: Finding[],
  texts: Map<string, string>,
): Record<string, Record<number, string>> {
  const split = new Map<string, string[]>();
  const lines: Record<string, Record<number, string>> = {};
  for (const f of findings) {
    let fileLines = split.get(f.file);
    if (!fileLines) {
      let text = texts.get(f.file);
      if (text === undefined) {
        try {
          text = readFileSync(path.join(root, f.file), 'utf8');
        } catch {
          text = ''; // vanished since it was read: the finding is printed without a frame
        }
      }
      fileLines = text.split('\n');
      split.set(f.file, fileLines);
    }
    (lines[f.file] ??= {})[f.line] = (fileLines[f.line - 1] ?? '').replace(/\r$/, '');
  }
  return lines;
}

/** For `plan`: the safety findings of migrations about to be applied (config severities and version; newest when unset). */
export async function safetyOfPending(project: Project, pending: Migration[]): Promise<Finding[]> {
  if (!pending.length) return [];
  const { NEWEST_POSTGRES, lintSafety } = await import('../core/safety/index.js');
  const settings = project.config.checkMigrations;
  return lintSafety(pending, { postgresVersion: settings.postgresVersion ?? NEWEST_POSTGRES, rules: settings.rules });
}
