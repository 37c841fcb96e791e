// The configuration file: found with cosmiconfig, validated with zod, `${VAR}` expanded.
// Both libraries load lazily and only when a config file exists, so `svcdb env` in a project
// without one starts as fast as bare Node.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { UserError, UserErrors } from './errors.js';
import type { FolderLayout, ProfileConfig, ReadDeclaration, RuleSeverity, RunConfig, Strategy, SvcdbConfig } from './types.js';
import { configSchema, formatIssue, pathText } from './config-schema.js';
import { knownValid, parseCached } from './config-cache.js';

/** What users write: every key optional. */
export interface UserConfig {
  discover?: string[];
  ignore?: string[];
  envPrefix?: string;
  services?: Record<string, {
    owns?: string[];
    trackingTable?: string;
    run?: Omit<RunConfig, 'after'> & { after?: string[] };
    path?: string;
    databaseOf?: string;
    reads?: Array<Omit<ReadDeclaration, 'via'> & { via?: string[] }>;
    migrations?: string;
    format?: FolderLayout;
    ignore?: string[];
    migrateAfter?: string[];
  }>;
  shared?: Record<string, string>;
  profiles?: Record<string, { strategy?: Strategy; url?: string }>;
  rules?: Record<string, RuleSeverity>;
}

/**
 * Types a config in `svcdb.config.ts` / `.mjs`. It returns its argument unchanged, so a config
 * file may also skip it, or define its own `const defineConfig = (c) => c`.
 */
export function defineConfig(config: UserConfig): UserConfig {
  return config;
}

export const DEFAULT_DISCOVER = ['internal/*/migrations'];

export const BUILTIN_PROFILES: Record<string, ProfileConfig> = {
  dev: { strategy: 'shared' },
  'dev-aws': { strategy: 'schema' },
  prod: { strategy: 'isolated' },
};

export const SEARCH_PLACES = [
  'package.json',
  ...['', '.json', '.yaml', '.yml', '.js', '.ts', '.cjs', '.mjs'].flatMap((ext) => [`.svcdbrc${ext}`, `.config/svcdbrc${ext}`]),
  ...['.js', '.ts', '.cjs', '.mjs', '.json', '.yaml', '.yml'].map((ext) => `svcdb.config${ext}`),
];

export function defaultConfig(): SvcdbConfig {
  return { discover: [...DEFAULT_DISCOVER], ignore: [], envPrefix: '', services: {}, shared: {}, profiles: { ...BUILTIN_PROFILES }, rules: {} };
}

export interface LoadedConfig {
  config: SvcdbConfig;
  /** absolute path, or null when there is no config file */
  path: string | null;
}

export async function loadConfig(opts: { cwd: string; configFile?: string; env?: NodeJS.ProcessEnv }): Promise<LoadedConfig> {
  const env = opts.env ?? process.env;
  const explicit = opts.configFile ? path.resolve(opts.cwd, opts.configFile) : null;
  if (explicit && !existsSync(explicit)) {
    throw new UserError(`config file not found: ${opts.configFile}`, { where: '--config', hint: 'check the path (it is relative to --cwd)' });
  }
  const found = explicit ?? findConfigFile(opts.cwd);
  if (!found) return { config: defaultConfig(), path: null };
  // JSON and YAML are read directly (same parsers as cosmiconfig); code configs, and any file
  // that fails to parse (for cosmiconfig's error message), go through cosmiconfig.
  let loaded: { raw: unknown; path: string } | null = readDataFile(found);
  if (!loaded) {
    const { loadRaw } = await import('./config-load.js');
    loaded = await loadRaw(opts.cwd, explicit);
  }
  if (!loaded) return { config: defaultConfig(), path: null };
  const file = path.relative(opts.cwd, loaded.path) || loaded.path;
  return { config: await validate(loaded.raw, file, env), path: loaded.path };
}

/** The first config file cosmiconfig would pick in `cwd` (package.json only with a `svcdb` key). */
function findConfigFile(cwd: string): string | null {
  for (const place of SEARCH_PLACES) {
    const file = path.join(cwd, place);
    if (!existsSync(file)) continue;
    if (place !== 'package.json') return file;
    try {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      if (pkg && typeof pkg === 'object' && 'svcdb' in pkg) return file;
    } catch {
      return file; // let cosmiconfig report the broken package.json
    }
  }
  return null;
}

/** JSON / YAML / package.json#svcdb without cosmiconfig; null when cosmiconfig should try. */
function readDataFile(file: string): { raw: unknown; path: string } | null {
  const base = path.basename(file);
  const isJson = base.endsWith('.json');
  const isYaml = /\.ya?ml$/.test(base) || base === '.svcdbrc' || base === 'svcdbrc';
  if (!isJson && !isYaml) return null;
  try {
    const text = readFileSync(file, 'utf8');
    if (base === 'package.json') return { raw: (JSON.parse(text) as Record<string, unknown>).svcdb ?? {}, path: file };
    if (text.trim() === '') return { raw: {}, path: file };
    const raw = isJson ? JSON.parse(text) : parseCached(text, loadYaml);
    return { raw: raw ?? {}, path: file };
  } catch {
    return null;
  }
}

/** js-yaml, resolved from cosmiconfig (whose dependency it is), so both parse YAML alike. */
export function loadYaml(text: string): unknown {
  const require = createRequire(import.meta.url);
  const fromCosmiconfig = createRequire(require.resolve('cosmiconfig'));
  return (fromCosmiconfig('js-yaml') as { load(text: string): unknown }).load(text);
}

async function validate(raw: unknown, file: string, env: NodeJS.ProcessEnv): Promise<SvcdbConfig> {
  const expanded = expandTree(raw, [], file, env);
  // zod costs ~50-100 ms of start-up; a config already found valid is remembered by its hash.
  const known = knownValid(expanded, configSchema.toString());
  if (!known.valid) {
    const schema = await configSchema();
    const parsed = schema.safeParse(expanded);
    if (!parsed.success) {
      const errors = parsed.error.issues.map((issue) => formatIssue(issue, expanded, file));
      throw errors.length === 1 ? errors[0] : new UserErrors(errors);
    }
  }
  const user = expanded as UserConfig; // the schema has no transforms: valid input is the output
  const problems: UserError[] = [];
  const profiles: Record<string, ProfileConfig> = { ...BUILTIN_PROFILES };
  for (const [name, p] of Object.entries(user.profiles ?? {})) {
    const strategy = p.strategy ?? BUILTIN_PROFILES[name]?.strategy;
    if (!strategy) {
      problems.push(new UserError('missing strategy; expected one of shared, schema, database, isolated', {
        where: `${file}: profiles.${name}.strategy`,
      }));
      continue;
    }
    if (strategy === 'isolated' && p.url !== undefined) {
      problems.push(new UserError('an isolated profile takes no url: each service reads its own <SERVICE>_DATABASE_URL', {
        where: `${file}: profiles.${name}.url`,
        hint: 'remove the url, or use strategy "database" to derive one database per service from it',
      }));
    }
    profiles[name] = { strategy, ...(p.url === undefined ? {} : { url: p.url }) };
  }
  if (problems.length) throw problems.length === 1 ? problems[0] : new UserErrors(problems);
  if (!known.valid) known.remember();
  const services: SvcdbConfig['services'] = {};
  for (const [name, s] of Object.entries(user.services ?? {})) {
    services[name] = {
      ...s,
      run: s.run ? { ...s.run, after: s.run.after ?? [] } : undefined,
      reads: s.reads?.map((r) => ({ ...r, via: r.via ?? [] })),
    };
  }
  return {
    discover: user.discover ?? [...DEFAULT_DISCOVER],
    ignore: user.ignore ?? [],
    envPrefix: user.envPrefix ?? '',
    services,
    shared: user.shared ?? {},
    profiles,
    rules: user.rules ?? {},
  };
}

/**
 * Expands `${VAR}` (and `${VAR:-default}`) in every string, except profile URLs: those expand
 * when their profile is used, so `svcdb env dev` does not need the staging password.
 */
function expandTree(value: unknown, keyPath: Array<string | number>, file: string, env: NodeJS.ProcessEnv): unknown {
  if (typeof value === 'string') {
    if (keyPath.length === 3 && keyPath[0] === 'profiles' && keyPath[2] === 'url') return value;
    return expandVars(value, env, `${file}: ${pathText(keyPath)}`);
  }
  if (Array.isArray(value)) return value.map((v, i) => expandTree(v, [...keyPath, i], file, env));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandTree(v, [...keyPath, k], file, env)]));
  }
  return value;
}

/** `${VAR}` / `${VAR:-default}` from `env`; an unset variable without a default is a UserError. */
export function expandVars(text: string, env: NodeJS.ProcessEnv, where: string): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_m, name: string, fallback: string | undefined) => {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
    if (fallback !== undefined) return fallback;
    throw new UserError(`environment variable ${name} is not set`, {
      where,
      hint: `set ${name}, or write \${${name}:-default} to give a default`,
    });
  });
}
