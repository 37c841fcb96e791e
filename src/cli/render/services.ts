// `svcdb services` as text, fitted to a width. A table when it fits once the two columns that
// can give way have done so (TABLES down to "a, b, +N more", URL down to host and database);
// otherwise one block per service, one value a line, as psql's `\x auto` does. `--json` keeps
// every value whole. Pure: result in, string out.
import type { ChalkInstance } from 'chalk';
import type { ServiceReport, ServicesResult } from '../../commands/services.js';
import { possessive } from '../../core/ownership/rules.js';
import { table } from '../io.js';
import { cut, elide } from './text.js';

const HEADERS = ['SERVICE', 'MIGRATIONS FOLDER', 'FILES', 'ENV VAR', 'TABLES', 'URL'];
const TABLES = 4;
const URL = 5;
/** narrowest the shrinking columns get before the table gives way to blocks */
const MIN_WIDTH = { [TABLES]: 10, [URL]: 30 } as Record<number, number>;
const GAP = 2;

/** `width`: the terminal's columns, or Infinity (a pipe or a file keeps every value whole). */
export function renderServices(result: ServicesResult, width: number, paint: ChalkInstance): string {
  const head = cut(
    `profile ${result.profile} (${result.strategy})${result.configFile ? `, config ${result.configFile}` : ', no config file'}`,
    width,
  );
  const body = tableView(result.services, width) ?? blocksView(result.services, width);
  return `${paint.bold(head)}\n${body}\n`;
}

/** The table, or null when it cannot fit `width` even with its shrinking columns at their narrowest. */
function tableView(services: ServiceReport[], width: number): string | null {
  const rows = services.map((s) => [
    s.name,
    s.migrationsDir ?? `${s.folder} (config only)`,
    String(s.migrations),
    s.envVar,
    s.tables.join(', ') || usesDatabaseOf(s),
    urlText(s),
  ]);
  const natural = HEADERS.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fixed = natural.reduce((sum, w, i) => (i === TABLES || i === URL ? sum : sum + w), 0);
  const room = width - fixed - GAP * (HEADERS.length - 1);
  const widths = share(room, [TABLES, URL], natural);
  if (!widths) return null;
  services.forEach((s, i) => {
    rows[i][TABLES] = s.tables.length ? tableList(s.tables, widths[TABLES]) : cut(rows[i][TABLES], widths[TABLES]);
  });
  // "+N more" seldom fills its width to the last column: the URL takes what it leaves
  const tablesWidth = Math.max(HEADERS[TABLES].length, ...rows.map((r) => r[TABLES].length));
  const urlWidth = Math.min(natural[URL], Math.max(widths[URL], room - tablesWidth));
  services.forEach((s, i) => {
    rows[i][URL] = s.url ? shortUrl(s.url, urlWidth) : cut(rows[i][URL], urlWidth);
  });
  return table(HEADERS, rows);
}

/**
 * Widths for the `flexible` columns within `room`: the widest are narrowed first, to one common
 * cap, none below its minimum; null when the minimums alone do not fit.
 */
function share(room: number, flexible: number[], natural: number[]): Record<number, number> | null {
  const at = (cap: number) =>
    Object.fromEntries(
      flexible.map((i) => [i, Math.min(natural[i], Math.max(Math.min(MIN_WIDTH[i], natural[i]), cap))]),
    ) as Record<number, number>;
  const total = (w: Record<number, number>) => flexible.reduce((sum, i) => sum + w[i], 0);
  if (!Number.isFinite(room)) return at(Number.POSITIVE_INFINITY);
  for (let cap = Math.max(...flexible.map((i) => natural[i])); cap >= 0; cap--) {
    const w = at(cap);
    if (total(w) <= room) return w;
  }
  return null;
}

/** One block per service: its name, then each value on its own line, shortened to the width. */
function blocksView(services: ServiceReport[], width: number): string {
  const labels = ['migrations', 'files', 'env var', 'tables', 'url'];
  const pad = Math.max(...labels.map((l) => l.length));
  const room = Math.max(8, width - 2 - pad - GAP);
  return services
    .map((s) => {
      const values = [
        elide(s.migrationsDir ?? `${s.folder} (config only)`, room),
        String(s.migrations),
        elide(s.envVar, room),
        s.tables.length ? tableList(s.tables, room) : cut(usesDatabaseOf(s), room),
        s.url ? shortUrl(s.url, room) : cut(urlText(s), room),
      ];
      return [elide(s.name, width), ...labels.map((l, i) => `  ${l.padEnd(pad + GAP)}${values[i]}`)].join('\n');
    })
    .join('\n\n');
}

function usesDatabaseOf(s: ServiceReport): string {
  return s.databaseOf ? `(uses ${possessive(s.databaseOf)} database)` : '-';
}

function urlText(s: ServiceReport): string {
  return s.url ?? `(no URL: ${s.urlProblem ?? 'unknown'})`;
}

/** As many names as fit in `width`, then `+N more`; `N tables` when not even one fits. */
export function tableList(names: string[], width: number): string {
  const all = names.join(', ');
  if (all.length <= width) return all;
  const text = (n: number) => `${names.slice(0, n).join(', ')}, +${names.length - n} more`;
  if (text(1).length > width) return cut(`${names.length} tables`, width);
  let shown = 1;
  while (shown + 1 < names.length && text(shown + 1).length <= width) shown++;
  return text(shown);
}

/**
 * A (redacted) URL in `width`, giving up first what least tells one database from another: the
 * query string (left as `?…`), the scheme and password placeholder, a default port, the user;
 * then the end of the host (its first labels say the most). The database name stays whole as
 * long as it can.
 */
export function shortUrl(url: string, width: number): string {
  if (url.length <= width) return url;
  const m = /^([a-z][a-z0-9+.-]*:\/\/)?(?:([^@/?:]*)(:[^@/?]*)?@)?([^/?]*)(\/[^?]*)?(\?.*)?$/i.exec(url);
  if (!m) return elide(url, width);
  const [, scheme = '', user, password = '', hosts, db = '', query] = m;
  const bare = hosts
    .split(',')
    .map((h) => h.replace(/:5432$/, ''))
    .join(',');
  const at = user ? `${user}@` : '';
  const q = query ? '?…' : '';
  const forms = [
    `${scheme}${user ? `${user}${password}@` : ''}${hosts}${db}${q}`,
    `${at}${hosts}${db}${q}`,
    `${at}${bare}${db}${q}`,
    `${at}${bare}${db}`,
    `${bare}${db}`,
  ];
  const form = forms.find((f) => f.length <= width);
  if (form) return form;
  // keep the database whole and shorten the host, while at least 4 characters of it remain
  if (width - db.length >= 4) return `${cut(bare, width - db.length)}${db}`;
  return elide(`${bare}${db}`, width);
}
