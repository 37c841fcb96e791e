// The shapes every layer shares. Plain records: no behaviour, no I/O.

export type MigrationFormat =
  | 'plain'
  | 'goose'
  | 'dbmate'
  | 'golang-migrate'
  | 'flyway'
  | 'folder'
  | 'prisma'
  | 'drizzle'
  | 'atlas'
  | 'versioned-folders';

/** How a migrations folder is laid out (config `services.X.format` forces one). */
export type FolderLayout = 'flat' | 'flyway' | 'folder' | 'prisma' | 'drizzle' | 'atlas' | 'versioned-folders';

/** Migration tools whose history svcdb recognises (migrate refuses to run over it) and adopts. */
export const FOREIGN_TOOLS = ['goose', 'dbmate', 'golang-migrate', 'flyway', 'prisma', 'drizzle', 'atlas'] as const;
export type ForeignTool = (typeof FOREIGN_TOOLS)[number];

/** One SQL statement of a migration section, with where it starts in its file. */
export interface Statement {
  sql: string;
  /** 1-based line in the file where the statement starts */
  line: number;
  /** 1-based column of the statement's first character */
  column: number;
  /** 0-based character offset of the statement in the file */
  offset: number;
}

export interface Migration {
  service: string;
  /** as written ("001", "20240101120000"); Flyway's with dots ("1.1"); "" for a repeatable */
  version: string;
  /** the part after `<version>_`, without `.sql` / `.up.sql` */
  name: string;
  /** `<version>_<name>`: the key recorded in the history table */
  id: string;
  /** absolute path of the file holding the up section */
  path: string;
  /** path relative to the project root, with `/` separators: for messages */
  relPath: string;
  /** golang-migrate: absolute path of the `.down.sql` file */
  downPath?: string;
  /** sha256 hex of the up file's bytes (plus the down file's, for golang-migrate pairs) */
  checksum: string;
  format: MigrationFormat;
  up: Statement[];
  /** null when the file has no down section */
  down: Statement[] | null;
  /** false for goose `NO TRANSACTION`, dbmate `transaction:false`, Atlas `atlas:txmode none`,
   * Diesel's `run_in_transaction = false` */
  transaction: boolean;
  /** Flyway `R__`: applied after the versioned ones, and again whenever its checksum changes */
  repeatable?: boolean;
  /** set by prepareTransactions (core/sources/transactions.ts) when a statement that cannot
   * run in a transaction makes the file run outside one: which, and where */
  outsideTransactionBecause?: string;
}

export interface RunConfig {
  command: string;
  port?: number;
  health?: string;
  after: string[];
  env?: Record<string, string>;
}

export interface ReadDeclaration {
  service: string;
  tables: string[];
  /** folders (relative to the project root) the read may come from */
  via: string[];
}

export interface Service {
  name: string;
  /** absolute path of the service's folder (the one holding `migrations`) */
  dir: string;
  /** relative to the project root, `/` separators */
  relDir: string;
  /** absolute path, or null for a service declared only in config */
  migrationsDir: string | null;
  /** ordered by version */
  migrations: Migration[];
  /** `<PREFIX><SERVICE>_DATABASE_URL` */
  envVar: string;
  /** from config `owns` */
  owns: string[];
  trackingTable?: string;
  databaseOf?: string;
  reads: ReadDeclaration[];
  run?: RunConfig;
  /** services whose migrations are applied before this one's under `migrate --all` */
  migrateAfter?: string[];
}

export type Strategy = 'shared' | 'schema' | 'database' | 'isolated';

export interface ProfileConfig {
  strategy: Strategy;
  url?: string;
  /** schema strategy: the schema's name, `{service}` standing for the service's */
  schemaName?: string;
  /** database strategy: the database's name, `{service}` standing for the service's */
  databaseName?: string;
}

export type RuleSeverity = 'error' | 'warning' | 'off';

/** A project helper whose argument names a table: `simple_insert(table="t", ...)` is a write of t. */
export interface QueryHelper {
  /** function or method name; `*` matches any characters */
  call: string;
  /** keyword/property name, or 0-based position, of the argument holding the table name */
  table: string | number;
  access: 'read' | 'write';
}

export interface SvcdbConfig {
  discover: string[];
  /** globs of files in migrations folders that are no migrations (templates, other dialects) */
  ignore: string[];
  envPrefix: string;
  services: Record<string, ServiceConfig>;
  /** folder or file glob → the services whose code it is (one or more) */
  shared: Record<string, string[]>;
  profiles: Record<string, ProfileConfig>;
  rules: Record<string, RuleSeverity>;
  /** project helpers taking a table name (check-ownership) */
  queryHelpers: QueryHelper[];
  /** see UserConfig (config.ts): the runner's table-lock settings, as written */
  lockTimeout?: number | string;
  statementTimeout?: number | string;
  lockRetries?: number;
  /** `svcdb check-migrations` settings */
  checkMigrations: CheckMigrationsConfig;
}

export interface CheckMigrationsConfig {
  rules: Record<string, RuleSeverity>;
  /** PostgreSQL major version (e.g. 15), when the config names one */
  postgresVersion?: number;
  /** service → id or version of the last migration not to check */
  baseline: Record<string, string>;
}

export interface ServiceConfig {
  owns?: string[];
  trackingTable?: string;
  run?: RunConfig;
  path?: string;
  databaseOf?: string;
  reads?: ReadDeclaration[];
  /** the migrations folder, relative to the project root, when no discover pattern finds it */
  migrations?: string;
  format?: FolderLayout;
  ignore?: string[];
  /** services whose migrations `migrate --all` applies before this one's */
  migrateAfter?: string[];
  /** its database's name under a `database` profile */
  database?: string;
  /** its schema's name under a `schema` profile */
  schema?: string;
}

export interface Project {
  /** absolute project root (`--cwd`) */
  root: string;
  /** absolute path of the config file, or null when there is none */
  configPath: string | null;
  config: SvcdbConfig;
  /** ordered by name */
  services: Service[];
}

/** Where a resolved value came from, for `svcdb env --explain`. */
export type ValueOrigin =
  | { kind: 'env'; variable: string }
  | { kind: 'profile'; profile: string; file: string | null }
  | { kind: 'database-url' }
  | { kind: 'embedded'; dataDir: string }
  | { kind: 'credentials'; file: string };

/** A service's connection target under a profile. */
export interface Target {
  service: string;
  envVar: string;
  profile: string;
  strategy: Strategy;
  /** the full URL the service gets (may hold a password: redact before printing) */
  url: string;
  /** the database name in the URL */
  database: string;
  /** the schema the service lives in (`schema` strategy), else null (the server's default) */
  schema: string | null;
  /** service whose database this one uses (`databaseOf`), else null */
  databaseOf: string | null;
  origin: ValueOrigin;
}

export type Severity = 'error' | 'warning';

export interface Finding {
  rule: string;
  severity: Severity;
  /** relative to the project root */
  file: string;
  line: number;
  column: number;
  /** the service the code belongs to (null when outside every service) */
  service: string | null;
  table: string | null;
  /** the service that owns `table`, or null */
  owner: string | null;
  /** check-ownership, code in a `shared` entry naming several services: all of them */
  usedBy?: string[];
  message: string;
  /** the safe rewrite (check-migrations findings) */
  hint?: string;
}
