// Services on disk: the `discover` globs expanded against the file system (project.ts merges
// what they find with the services the config declares).
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { UserError, UserErrors } from './errors.js';
import { isDirectory } from './fs.js';

export const SERVICE_TOKEN = '{service}';

/** A service found on disk: its migrations folder and its own folder. */
export interface Discovered {
  migrationsDir: string;
  serviceDir: string;
}

/**
 * Expands the discover patterns against the file system: `*` and `?` match within one path
 * segment, `**` matches any number of folders. Dot-folders and node_modules are not entered.
 * A pattern with `{service}` names the service's segment (a folder, never a file): the
 * service's name is what it matched, its folder the path up to it. Without `{service}`, the
 * name is the folder above the match (`internal/<name>/migrations`).
 */
export function discoverServices(root: string, globs: string[]): Map<string, Discovered> {
  const found = new Map<string, Discovered & { glob: string }>();
  const problems: UserError[] = [];
  for (const glob of globs) {
    const segments = glob.split('/').filter((s) => s !== '' && s !== '.');
    const named = segments.findIndex((s) => s.includes(SERVICE_TOKEN));
    for (const match of expand(root, segments)) {
      const { name, serviceDir } =
        named === -1
          ? { name: path.basename(path.dirname(match)), serviceDir: path.dirname(match) }
          : serviceSegment(root, segments, named, match);
      const previous = found.get(name);
      if (previous && previous.migrationsDir !== match) {
        problems.push(
          new UserError(
            `two services named "${name}": ${toRel(root, previous.migrationsDir)} and ${toRel(root, match)}`,
            {
              where: `discover: ${glob}`,
              hint: clashHint(glob),
            },
          ),
        );
        continue;
      }
      found.set(name, { migrationsDir: match, serviceDir, glob });
    }
  }
  if (problems.length) throw problems.length === 1 ? problems[0] : new UserErrors(problems);
  return new Map([...found].map(([name, d]) => [name, { migrationsDir: d.migrationsDir, serviceDir: d.serviceDir }]));
}

/** The name a `{service}` segment matched, and the folder up to it. */
function serviceSegment(
  root: string,
  segments: string[],
  named: number,
  match: string,
): { name: string; serviceDir: string } {
  // `**` before the named segment makes its depth vary: count from the end instead.
  const parts = toRel(root, match).split('/');
  const fromEnd = segments.length - 1 - named;
  const index =
    segments.slice(0, named).includes('**') || segments.slice(named + 1).includes('**')
      ? parts.length - 1 - fromEnd
      : named;
  const segment = parts[index] ?? '';
  const re = segmentRegExp(segments[named], true);
  const name = re.exec(segment)?.[1] ?? segment;
  return { name, serviceDir: path.join(root, ...parts.slice(0, index + 1)) };
}

/** The discover pattern with `{service}` in place of its (first plain) wildcard segment. */
function clashHint(glob: string): string {
  const segments = glob.split('/').filter((s) => s !== '' && s !== '.');
  let at = segments.indexOf('*');
  if (at === -1) at = segments.findLastIndex((s) => /[*?]/.test(s) && s !== '**');
  const directly = 'or give one folder directly (services.<name>.migrations)';
  if (at === -1 || glob.includes(SERVICE_TOKEN)) {
    return `name the service's folder with {service} in the discover pattern (e.g. "services/{service}/db/migrations"), ${directly}`;
  }
  const pattern = segments.map((s, i) => (i === at ? SERVICE_TOKEN : s)).join('/');
  return `name the service's folder with {service} in the pattern (discover: ["${pattern}"]), ${directly}`;
}

function segmentRegExp(segment: string, capture = false): RegExp {
  const escaped = segment.split(SERVICE_TOKEN).map((part) =>
    part
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.'),
  );
  return new RegExp(`^${escaped.join(capture ? '([^/]+?)' : '[^/]+')}$`);
}

function expand(dir: string, segments: string[]): string[] {
  if (segments.length === 0) return isDirectory(dir) ? [dir] : [];
  const [head, ...rest] = segments;
  if (head === '**') {
    return [...expand(dir, rest), ...subdirs(dir).flatMap((d) => expand(path.join(dir, d), segments))];
  }
  if (!/[*?]/.test(head) && !head.includes(SERVICE_TOKEN)) return expand(path.join(dir, head), rest);
  const re = segmentRegExp(head);
  return subdirs(dir)
    .filter((d) => re.test(d))
    .sort()
    .flatMap((d) => expand(path.join(dir, d), rest));
}

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter(
        (e) =>
          (e.isDirectory() || (e.isSymbolicLink() && isDirectory(path.join(dir, e.name)))) &&
          !e.name.startsWith('.') &&
          e.name !== 'node_modules',
      )
      .map((e) => e.name);
  } catch {
    return [];
  }
}

/** `p` relative to `root` with `/` separators, `.` for the root itself: how messages name a path. */
export function toRel(root: string, p: string): string {
  return path.relative(root, p).split(path.sep).join('/') || '.';
}
