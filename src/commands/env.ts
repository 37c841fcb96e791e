// `svcdb env`: every service's `*_DATABASE_URL` under a profile, as dotenv, shell, JSON or
// GitHub Actions env lines, printed or written to a file. The one command that prints passwords.
// fs.promises and Web Crypto are loaded on first use: node:fs/promises and node:crypto would
// cost ~10 ms of every `svcdb env`, which only needs them for --write and multi-line values.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UserError } from '../core/errors.js';
import { describeOrigin, getProfile, resolveTargets } from '../core/profiles.js';
import { findService, loadProject } from '../core/project.js';
import type { ValueOrigin } from '../core/types.js';
import { loadServiceCredentials, runningEmbedded } from './services.js';
import { assertServicesFound } from './services-found.js';

export const ENV_FORMATS = ['dotenv', 'shell', 'json', 'github'] as const;
export type EnvFormat = (typeof ENV_FORMATS)[number];

export interface EnvOptions {
  cwd: string;
  config?: string;
  profile: string;
  env?: NodeJS.ProcessEnv;
  format: EnvFormat;
  /** only these services (unknown → UserError) */
  services?: string[];
  /** write to this file (relative to cwd) instead of returning text to print */
  write?: string;
  /** overwrite a file svcdb did not write */
  force?: boolean;
  /** URL of a running embedded server, when the caller has one */
  embeddedUrl?: string;
  embeddedDataDir?: string;
}

export interface EnvVariable {
  service: string;
  name: string;
  value: string;
  origin: ValueOrigin;
  /** the origin in words, for `--explain` */
  explanation: string;
}

export interface EnvResult {
  profile: string;
  format: EnvFormat;
  variables: EnvVariable[];
  /** the rendered output (what is printed, or what was written) */
  text: string;
  /** absolute path of the written file, or null */
  written: string | null;
}

const MARKER = '# Written by svcdb env';

export async function env(opts: EnvOptions): Promise<EnvResult> {
  if (!(ENV_FORMATS as readonly string[]).includes(opts.format)) {
    throw new UserError(`unknown format "${opts.format}"`, {
      where: '--format',
      hint: `use one of: ${ENV_FORMATS.join(', ')}`,
    });
  }
  const processEnv = opts.env ?? process.env;
  const project = await loadProject({ cwd: opts.cwd, configFile: opts.config, env: processEnv, readMigrations: false });
  assertServicesFound(project);
  getProfile(project, opts.profile); // unknown profile → exit 2 before anything else
  const wanted = opts.services?.length
    ? [...new Set(opts.services)].map((name) => findServiceFlag(project, name))
    : null;
  const scoped = wanted ? { ...project, services: withHomes(project.services, wanted) } : project;
  const embedded = opts.embeddedUrl
    ? { embeddedUrl: opts.embeddedUrl, embeddedDataDir: opts.embeddedDataDir }
    : await runningEmbedded(scoped, opts.profile, processEnv);
  const bare = resolveTargets(scoped, opts.profile, { env: processEnv, ...embedded });
  const credentials = await loadServiceCredentials(scoped, opts.profile, bare);
  const targets = resolveTargets(scoped, opts.profile, { env: processEnv, ...embedded, ...credentials });
  const variables = targets
    .filter((t) => !wanted || wanted.includes(t.service))
    .map((t) => ({
      service: t.service,
      name: t.envVar,
      value: t.url,
      origin: t.origin,
      explanation: `${describeOrigin(t.origin)} (${t.strategy})`,
    }));
  const body = render(variables, opts.format);
  if (!opts.write) return { profile: opts.profile, format: opts.format, variables, text: body, written: null };
  const file = path.resolve(opts.cwd, opts.write);
  const text = await writeOutput(file, body, opts);
  return { profile: opts.profile, format: opts.format, variables, text, written: file };
}

function findServiceFlag(project: Parameters<typeof findService>[0], name: string): string {
  try {
    return findService(project, name).name;
  } catch (err) {
    if (err instanceof UserError) throw new UserError(err.message, { where: '--service', hint: err.hint });
    throw err;
  }
}

/** The chosen services plus the ones whose database they use (`databaseOf`). */
function withHomes<T extends { name: string; databaseOf?: string }>(all: T[], wanted: string[]): T[] {
  const keep = new Set(wanted);
  for (let grew = true; grew; ) {
    grew = false;
    for (const s of all) {
      if (keep.has(s.name) && s.databaseOf && !keep.has(s.databaseOf)) {
        keep.add(s.databaseOf);
        grew = true;
      }
    }
  }
  return all.filter((s) => keep.has(s.name));
}

export function render(variables: Array<{ name: string; value: string }>, format: EnvFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(Object.fromEntries(variables.map((v) => [v.name, v.value])), null, 2)}\n`;
    case 'shell':
      return variables.map((v) => `export ${v.name}=${shellQuote(v.value)}\n`).join('');
    case 'github':
      return variables.map((v) => githubLine(v.name, v.value)).join('');
    default:
      return variables.map((v) => `${v.name}=${dotenvQuote(v.value)}\n`).join('');
  }
}

/** POSIX single quotes: nothing inside is special; a `'` becomes `'\''`. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Bare when safe, else single quotes (literal in dotenv), else double quotes with escapes. */
export function dotenvQuote(value: string): string {
  if (/^[A-Za-z0-9_./:@%?=&,+~-]*$/.test(value)) return value;
  if (!/['\n\r]/.test(value)) return `'${value}'`;
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;
}

/** A line for $GITHUB_ENV; a value with a newline uses the heredoc form with a random delimiter. */
export function githubLine(name: string, value: string): string {
  if (!/[\r\n]/.test(value)) return `${name}=${value}\n`;
  const delimiter = `ghadelimiter_${randomHex(8)}`;
  return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
}

function randomHex(bytes: number): string {
  return Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(bytes))).toString('hex');
}

/**
 * GitHub format appends (that is how $GITHUB_ENV works). Other formats replace the file
 * atomically (temp file + rename, mode 0600: it holds passwords) and refuse to replace a file
 * svcdb did not write unless `force`.
 */
async function writeOutput(file: string, body: string, opts: EnvOptions): Promise<string> {
  const existing = await fs.stat(file).catch(() => null);
  if (existing?.isDirectory())
    throw new UserError(`${opts.write} is a folder`, { where: '--write', hint: 'name a file' });
  if (opts.format === 'github') {
    await fs.appendFile(file, body, { mode: 0o600 });
    return body;
  }
  if (existing && !opts.force && !(await writtenBySvcdb(file, opts.format))) {
    throw new UserError(`refusing to overwrite ${opts.write}: svcdb did not write it`, {
      where: '--write',
      hint: 'pass --force to replace it, or choose another file',
    });
  }
  const text = opts.format === 'json' ? body : `${header(opts)}${body}`;
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomHex(4)}.tmp`);
  try {
    await fs.writeFile(temp, text, { mode: 0o600 });
    await fs.chmod(temp, 0o600);
    await fs.rename(temp, file);
  } catch (err) {
    await fs.unlink(temp).catch(() => {});
    throw new UserError(
      `cannot write ${opts.write}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      { where: '--write' },
    );
  }
  return text;
}

function header(opts: EnvOptions): string {
  const file = opts.write ?? '';
  const again = `svcdb env ${opts.profile} --format ${opts.format} --write ${/^[\w./-]+$/.test(file) ? file : shellQuote(file)}`;
  return `${MARKER} (profile ${opts.profile}); regenerate with: ${again}\n# It holds database passwords: keep it out of version control.\n`;
}

/** Ours: empty, starts with the marker, or (JSON, which has no comments) holds only *_DATABASE_URL keys. */
async function writtenBySvcdb(file: string, format: EnvFormat): Promise<boolean> {
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  if (text.trim() === '' || text.startsWith(MARKER)) return true; // an empty file holds nothing to lose
  if (format !== 'json') return false;
  try {
    const parsed = JSON.parse(text) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return false;
    const keys = Object.keys(parsed);
    return keys.length > 0 && keys.every((k) => /_DATABASE_URL$/.test(k));
  } catch {
    return false;
  }
}
