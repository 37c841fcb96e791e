// The one home of migration file and folder name patterns: every layout's names, the version
// each name carries, and how versions compare. Everything else (the loader, the lint's list of
// migration files, `--to`) asks here.

/** Flat files: `<digits>_<name>.sql`, golang-migrate pairs `<digits>_<name>.up.sql` / `.down.sql`. */
export const FLAT_FILE = /^(\d+)_(.+?)(\.up|\.down)?\.sql$/i;
/** Flyway versioned and undo: `V1__init.sql`, `V1.1__x.sql`, `V2_1__y.sql`, `U2_1__y.sql`. */
export const FLYWAY_VERSIONED = /^([VU])(\d+(?:[._]\d+)*)__(.+)\.sql$/;
/** Flyway repeatable: `R__views.sql`. */
export const FLYWAY_REPEATABLE = /^R__(.+)\.sql$/;
/** One folder per migration: `<id>_<name>` (Diesel's `2024-01-01-000000_x` and Prisma's `20240101120000_x`). */
export const MIGRATION_FOLDER = /^(\d[\d-]*)_(.+)$/;
/** Versioned sub-folders: `v1.9`, `1.10`, `v2`. */
export const VERSION_FOLDER = /^v?(\d+(?:\.\d+)*)$/i;
/** Drizzle: `0000_init.sql` (the journal's `tag` plus `.sql`). */
export const DRIZZLE_FILE = /^(\d+)_(.+)\.sql$/;
/** Atlas: `<version>[_<name>].sql`; the version is everything before the first `_`. */
export const ATLAS_FILE = /^(\d+)(?:_(.+))?\.sql$/;

/** Files that may sit in any migrations folder and are no migration: notes, editor and VCS files. */
export function isNote(file: string): boolean {
  return file.startsWith('.') || /\.(md|txt|rst)$/i.test(file) || /^(README|LICENSE|NOTICE)$/i.test(file);
}

/** Whether a bare file name reads as a migration in some layout (for the lint's quick list). */
export function isMigrationFileName(file: string): boolean {
  return FLAT_FILE.test(file) || FLYWAY_VERSIONED.test(file) || FLYWAY_REPEATABLE.test(file) || ATLAS_FILE.test(file);
}

/** Flyway writes `2_1` for `2.1`: the canonical spelling uses dots. */
export function flywayVersion(raw: string): string {
  return raw.replace(/_/g, '.');
}

/**
 * Compares versions as Flyway and goose do: dot-separated parts, each a number of any width
 * ("001" = "1" < "10" < "20240101"), missing trailing parts are 0 ("1" = "1.0" < "1.1"). The
 * empty version (Flyway repeatables have none) sorts after every versioned migration.
 */
export function compareVersions(a: string, b: string): number {
  if (a === '' || b === '') return a === b ? 0 : a === '' ? 1 : -1;
  if (!a.includes('.') && !b.includes('.')) return compareNumbers(a, b);
  const x = a.split('.');
  const y = b.split('.');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const c = compareNumbers(x[i] ?? '0', y[i] ?? '0');
    if (c !== 0) return c;
  }
  return 0;
}

/**
 * Numeric comparison of digit strings of any width: without leading zeros, the shorter string
 * is the smaller number, equal lengths compare as text (no BigInt pair per comparison: sorting
 * a thousand files made tens of thousands).
 */
function compareNumbers(a: string, b: string): number {
  const x = withoutLeadingZeros(a);
  const y = withoutLeadingZeros(b);
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** "007" → "7", "1.01" → "1.1", "1.0" → "1": the canonical spelling of a version. */
export function canonicalVersion(version: string): string {
  if (!version.includes('.')) return withoutLeadingZeros(version);
  const parts = version.split('.').map(withoutLeadingZeros);
  while (parts.length > 1 && parts.at(-1) === '0') parts.pop();
  return parts.join('.');
}

/** "007" → "7", "000" → "0". */
export function withoutLeadingZeros(version: string): string {
  let i = 0;
  while (i < version.length - 1 && version.charCodeAt(i) === 48) i++;
  return i === 0 ? version : version.slice(i);
}

/** What a user types for `--to` that names a version: `3`, `003`, `1.1`, `2_1`. */
export const VERSION_REF = /^\d+(?:[._]\d+)*$/;
