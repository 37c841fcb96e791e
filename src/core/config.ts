// The configuration file: found with cosmiconfig, validated with zod, `${VAR}` expanded.
// Both libraries load lazily and only when a config file exists, so `svcdb env` in a project
// without one starts as fast as bare Node.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { UserError, UserErrors } from './errors.js';
import type { SvcdbConfig } from './types.js';
import { pathText } from './config-issues.js';
import type { UserConfig } from './config-schema.js';
import { buildConfig, checkConfig } from './config-check.js';
import { MAX_DEPTH, readDataFile, tooDeep } from './config-parse.js';

export { BUILTIN_PROFILES, DEFAULT_DISCOVER } from './config-check.js';

export type { UserConfig } from './config-schema.js';

/**
 * Types a config in `svcdb.config.ts` / `.mjs`. It returns its argument unchanged, so a config
 * file may also skip it, or define its own `const defineConfig = (c) => c`.
 */
export function defineConfig(config: UserConfig): UserConfig {
  return config;
}

export const SEARCH_PLACES = [
  'package.json',
  ...['', '.json', '.yaml', '.yml', '.js', '.ts', '.cjs', '.mjs'].flatMap((ext) => [
    `.svcdbrc${ext}`,
    `.config/svcdbrc${ext}`,
  ]),
  ...['.js', '.ts', '.cjs', '.mjs', '.json', '.yaml', '.yml'].map((ext) => `svcdb.config${ext}`),
];

export function defaultConfig(): SvcdbConfig {
  return buildConfig({});
}

export interface LoadedConfig {
  config: SvcdbConfig;
  /** absolute path, or null when there is no config file */
  path: string | null;
}

export interface LoadConfigOptions {
  cwd: string;
  configFile?: string;
  env?: NodeJS.ProcessEnv;
  /**
   * true: return the problems found (with a config of what is valid) instead of throwing, so the
   * project can add its own to the same report. Still throws when the services are unknowable.
   */
  collect?: boolean;
}

export async function loadConfig(
  opts: LoadConfigOptions & { collect: true },
): Promise<LoadedConfig & { problems: UserError[] }>;
export async function loadConfig(opts: LoadConfigOptions): Promise<LoadedConfig>;
export async function loadConfig(opts: LoadConfigOptions): Promise<LoadedConfig & { problems: UserError[] }> {
  const env = opts.env ?? process.env;
  const explicit = opts.configFile ? path.resolve(opts.cwd, opts.configFile) : null;
  if (explicit && !existsSync(explicit)) {
    throw new UserError(`config file not found: ${opts.configFile}`, {
      where: '--config',
      hint: 'check the path (it is relative to --cwd)',
    });
  }
  const found = explicit ?? findConfigFile(opts.cwd);
  if (!found) return { config: defaultConfig(), path: null, problems: [] };
  // JSON and YAML are read directly; code configs through cosmiconfig.
  let loaded = await readDataFile(found, path.relative(opts.cwd, found) || found);
  if (!loaded) {
    const { loadRaw } = await import('./config-load.js');
    loaded = await loadRaw(opts.cwd, explicit);
  }
  if (!loaded) return { config: defaultConfig(), path: null, problems: [] };
  const file = path.relative(opts.cwd, loaded.path) || loaded.path;
  const checked = await checkConfig(expandTree(loaded.raw, [], file, env), file);
  const { problems } = checked;
  if (problems.length && (!opts.collect || !checked.servicesKnown))
    throw problems.length === 1 ? problems[0] : new UserErrors(problems);
  return { config: checked.config, path: loaded.path, problems };
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

/**
 * Expands `${VAR}` (and `${VAR:-default}`) in every string, except profile URLs: those expand
 * when their profile is used, so `svcdb env dev` does not need the staging password.
 */
function expandTree(value: unknown, keyPath: Array<string | number>, file: string, env: NodeJS.ProcessEnv): unknown {
  // Before the stack runs out (a config nested 200,000 levels, or a cycle in a JS config).
  if (keyPath.length > MAX_DEPTH) throw tooDeep(`${file}: ${pathText(keyPath.slice(0, 4))}...`);
  if (typeof value === 'string') {
    if (keyPath.length === 3 && keyPath[0] === 'profiles' && keyPath[2] === 'url') return value;
    return expandVars(value, env, `${file}: ${pathText(keyPath)}`);
  }
  if (Array.isArray(value)) return value.map((v, i) => expandTree(v, [...keyPath, i], file, env));
  if (value && typeof value === 'object') {
    if (Object.hasOwn(value, '__proto__')) {
      // zod's records skip this key, and plain objects treat it as their prototype.
      throw new UserError('"__proto__" is not allowed as a name', {
        where: `${file}: ${pathText([...keyPath, '__proto__'])}`,
      });
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandTree(v, [...keyPath, k], file, env)]));
  }
  return value;
}

/** `${VAR}` / `${VAR:-default}` from `env`; an unset variable without a default is a UserError. */
export function expandVars(text: string, env: NodeJS.ProcessEnv, where: string): string {
  return text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g,
    (_m, name: string, fallback: string | undefined) => {
      const value = env[name];
      if (value !== undefined && value !== '') return value;
      if (fallback !== undefined) return fallback;
      throw new UserError(`environment variable ${name} is not set`, {
        where,
        hint: `set ${name}, or write \${${name}:-default} to give a default`,
      });
    },
  );
}
