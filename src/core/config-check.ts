// Validates an expanded config and turns it into the SvcdbConfig the rest of svcdb uses,
// collecting every problem in one pass: schema errors (from zod), profiles without a strategy,
// unknown rule names. A problem prunes only its own key, so the rest can still be checked by
// the project (unknown databaseOf / after / reads names need the services found on disk).
import type { core } from 'zod';
import { UserError } from './errors.js';
import { RULE_IDS } from './ownership/rule-meta.js';
import type { ProfileConfig, SvcdbConfig } from './types.js';
import type { UserConfig } from './config-schema.js';
import { configSchema } from './config-schema.js';
import { formatIssue, pathText } from './config-issues.js';
import { validate as quickCheck } from './config-validator.generated.js';

export const DEFAULT_DISCOVER = ['internal/*/migrations'];

export const BUILTIN_PROFILES: Record<string, ProfileConfig> = byName([
  ['dev', { strategy: 'shared' }],
  ['dev-aws', { strategy: 'schema' }],
  ['prod', { strategy: 'isolated' }],
]);

export interface CheckedConfig {
  config: SvcdbConfig;
  problems: UserError[];
  /** false when a problem leaves the services unknowable (no usable `discover`) */
  servicesKnown: boolean;
}

export async function checkConfig(expanded: unknown, file: string): Promise<CheckedConfig> {
  // The generated validator (from the same schema) is a quick yes; zod judges every "no".
  if (quickCheck(expanded)) return finish(expanded as UserConfig, file, [], []);
  const schema = await configSchema();
  const first = schema.safeParse(expanded);
  if (first.success) return finish(expanded as UserConfig, file, [], []);
  const problems = first.error.issues.map((issue) => formatIssue(issue, expanded, file, schema));
  if (expanded === null || typeof expanded !== 'object' || Array.isArray(expanded)) {
    return { config: buildConfig({}), problems, servicesKnown: false };
  }
  const pruned = structuredClone(expanded) as Record<string, unknown>;
  const prunedPaths: string[] = [];
  let issues: core.$ZodIssue[] = first.error.issues;
  for (let round = 0; round < 5 && issues.length; round++) {
    for (const issue of issues) prunedPaths.push(...prune(pruned, issue));
    const again = schema.safeParse(pruned);
    issues = again.success ? [] : again.error.issues;
  }
  if (issues.length) return { config: buildConfig({}), problems, servicesKnown: false };
  const servicesKnown = !prunedPaths.some((p) => p === 'discover' || p.startsWith('discover['));
  return finish(pruned as UserConfig, file, problems, prunedPaths, servicesKnown);
}

/** Removes the key an issue is about (or the object that lacks a required key); its key paths. */
function prune(root: Record<string, unknown>, issue: core.$ZodIssue): string[] {
  let keyPath = [...issue.path];
  if (issue.code === 'unrecognized_keys') {
    const parent = valueAt(root, keyPath) as Record<string, unknown> | undefined;
    for (const key of issue.keys) if (parent) delete parent[key];
    return issue.keys.map((k) => pathText([...keyPath, k]));
  }
  // A list with a bad element, or an object lacking a required key, goes as a whole.
  while (keyPath.length && (typeof keyPath[keyPath.length - 1] === 'number' || valueAt(root, keyPath) === undefined))
    keyPath = keyPath.slice(0, -1);
  if (issue.code === 'invalid_key') keyPath = issue.path; // a bad name: drop that entry only
  if (!keyPath.length) return [];
  const parent = valueAt(root, keyPath.slice(0, -1)) as Record<PropertyKey, unknown> | undefined;
  if (parent && typeof parent === 'object') delete parent[keyPath[keyPath.length - 1] as string];
  return [pathText(keyPath)];
}

function valueAt(root: unknown, keyPath: ReadonlyArray<PropertyKey>): unknown {
  let v = root;
  for (const k of keyPath) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, k)) return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

function finish(
  user: UserConfig,
  file: string,
  problems: UserError[],
  prunedPaths: string[],
  servicesKnown = true,
): CheckedConfig {
  const pruned = (keyPath: string) =>
    prunedPaths.some((p) => keyPath === p || keyPath.startsWith(`${p}.`) || keyPath.startsWith(`${p}[`));
  for (const [name, p] of Object.entries(user.profiles ?? {})) {
    const at = `profiles.${name}`;
    if (pruned(`${at}.strategy`)) continue;
    const strategy = p.strategy ?? builtinProfile(name)?.strategy;
    if (!strategy) {
      problems.push(
        new UserError('missing strategy; expected one of shared, schema, database, isolated', {
          where: `${file}: ${at}.strategy`,
        }),
      );
    } else if (strategy === 'isolated' && p.url !== undefined) {
      problems.push(
        new UserError('an isolated profile takes no url: each service reads its own <SERVICE>_DATABASE_URL', {
          where: `${file}: ${at}.url`,
          hint: 'remove the url, or use strategy "database" to derive one database per service from it',
        }),
      );
    }
  }
  for (const rule of Object.keys(user.rules ?? {})) {
    if (RULE_IDS.has(rule)) continue;
    problems.push(
      new UserError(`unknown rule "${rule}"`, {
        where: `${file}: rules.${rule}`,
        hint: `known rules: ${[...RULE_IDS].join(', ')}`,
      }),
    );
  }
  return { config: buildConfig(user), problems, servicesKnown };
}

function builtinProfile(name: string): ProfileConfig | undefined {
  return Object.hasOwn(BUILTIN_PROFILES, name) ? BUILTIN_PROFILES[name] : undefined;
}

/** Maps keyed by a name the user chose have no prototype: `services.toString` is just absent. */
export function byName<T>(entries: Array<[string, T]>): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, Object.fromEntries(entries));
}

export function buildConfig(user: UserConfig): SvcdbConfig {
  const profiles = byName<ProfileConfig>(Object.entries(BUILTIN_PROFILES));
  for (const [name, p] of Object.entries(user.profiles ?? {})) {
    const strategy = p.strategy ?? builtinProfile(name)?.strategy;
    if (strategy) {
      profiles[name] = {
        strategy,
        ...(p.url === undefined ? {} : { url: p.url }),
        ...(p.schemaName === undefined ? {} : { schemaName: p.schemaName }),
        ...(p.databaseName === undefined ? {} : { databaseName: p.databaseName }),
      };
    }
  }
  const services = byName(
    Object.entries(user.services ?? {}).map(([name, s]) => [
      name,
      {
        ...s,
        run: s.run ? { ...s.run, after: s.run.after ?? [] } : undefined,
        reads: s.reads?.map((r) => ({ ...r, via: r.via ?? [] })),
      },
    ]),
  );
  return {
    discover: user.discover ?? [...DEFAULT_DISCOVER],
    ignore: user.ignore ?? [],
    envPrefix: user.envPrefix ?? '',
    services,
    shared: byName(Object.entries(user.shared ?? {}).map(([k, v]) => [k, typeof v === 'string' ? [v] : v])),
    profiles,
    rules: byName(Object.entries(user.rules ?? {})),
    queryHelpers: user.queryHelpers ?? [],
    checkMigrations: {
      rules: byName(Object.entries(user.checkMigrations?.rules ?? {})),
      ...(user.checkMigrations?.postgresVersion === undefined
        ? {}
        : { postgresVersion: user.checkMigrations.postgresVersion }),
      baseline: byName(Object.entries(user.checkMigrations?.baseline ?? {})),
    },
    lockTimeout: user.lockTimeout,
    statementTimeout: user.statementTimeout,
    lockRetries: user.lockRetries,
  };
}
