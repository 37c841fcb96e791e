// The library's migrator for one service (goose's Provider, umzug's instance): a URL and a
// folder (or a list of migrations) in, up/down/status/plan out. No config file, no cwd, no
// embedded server, nothing process-wide: what a service calls from its own start-up.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { UserError } from '../core/errors.js';
import { compareVersions, findMigration } from '../core/plan.js';
import { splitStatements } from '../core/sources/index.js';
import type { Migration, Service, Target } from '../core/types.js';
import { parsePgUrl } from '../core/url.js';
import type { DownResult } from './down.js';
import type { MigrateEvent, ServiceMigrateResult } from './migrate.js';
import type { ServicePlanResult } from './plan.js';
import type { ServiceStatusResult } from './status.js';

/** A migration given in code instead of a file. */
export interface InlineMigration {
  /** `<version>_<name>`, e.g. `001_create_orders`: the version is its identity */
  id: string;
  up: string;
  down?: string;
  /** default true; false for CREATE INDEX CONCURRENTLY and the like */
  transaction?: boolean;
}

export interface MigratorOptions {
  /** the service's database URL */
  url: string;
  /** a migrations folder (any format svcdb reads), or the migrations themselves */
  migrations: string | InlineMigration[];
  /** the service's name: recorded in every history row, names it in messages */
  service: string;
  /** history table (default `svcdb_migrations`, in the connection's current schema) */
  historyTable?: string;
  /** the schema to migrate in (created when missing); default: the connection's current schema */
  schema?: string;
  /** retry an unreachable server this long, ms (default 10 000) */
  waitMs?: number;
  /** wait for another replica's migration lock this long, ms (default 60 000) */
  lockTimeoutMs?: number;
  /** each migration's lock_timeout, ms (default 5 000; 0 off), retried `lockRetries` times (default 5) */
  tableLockTimeoutMs?: number;
  lockRetries?: number;
  statementTimeoutMs?: number;
  onEvent?: (event: MigrateEvent) => void;
}

export interface Migrator {
  /** applies what is pending (up to `to`); a failure is in the result (`ok` false), not thrown */
  up(opts?: { to?: string }): Promise<ServiceMigrateResult & { ok: boolean }>;
  /** reverts the newest `step` (default 1), or everything after `to` */
  down(opts?: { step?: number; to?: string }): Promise<DownResult>;
  status(): Promise<ServiceStatusResult>;
  /** what up() would run, statement by statement; reads only */
  plan(opts?: { to?: string }): Promise<ServicePlanResult>;
}

export function createMigrator(opts: MigratorOptions): Migrator {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(opts.service)) {
    throw new UserError(`service name ${JSON.stringify(opts.service)}: use letters, digits, _ . -`);
  }
  const database = parsePgUrl(opts.url, { variable: 'url' }).database;
  const target: Target = {
    service: opts.service,
    envVar: '',
    profile: 'library',
    strategy: 'isolated',
    url: opts.url,
    database,
    schema: opts.schema ?? null,
    databaseOf: null,
    origin: { kind: 'database-url' },
  };
  let loaded: Promise<Service> | undefined;
  // Read once, on first use: a folder is read and parsed like the CLI reads it.
  const service = () => (loaded ??= loadService(opts));
  const to = async (ref: string | undefined): Promise<Migration | undefined> => {
    if (ref === undefined) return undefined;
    const s = await service();
    const found = findMigration(s.migrations, ref);
    if (!found) throw new UserError(`to ${ref}: service ${s.name} has no such migration`);
    return found;
  };
  return {
    async up(o = {}) {
      const { migrateService, lockSettingsOf } = await import('./migrate.js');
      const s = await service();
      const locks = lockSettingsOf({}, opts);
      const result = await migrateService(s, target, await to(o.to), locks, opts);
      opts.onEvent?.({ type: 'done', result });
      return { ...result, ok: result.status === 'applied' || result.status === 'up-to-date' };
    },
    async down(o = {}) {
      const { downService } = await import('./down.js');
      return downService(await service(), target, { ...opts, ...o });
    },
    async status() {
      const { statusOf } = await import('./status.js');
      return statusOf(await service(), target, opts);
    },
    async plan(o = {}) {
      const { planService } = await import('./plan.js');
      return planService(await service(), target, { ...opts, ...o });
    },
  };
}

async function loadService(opts: MigratorOptions): Promise<Service> {
  const base: Omit<Service, 'migrations'> = {
    name: opts.service,
    dir: '',
    relDir: '',
    migrationsDir: null,
    envVar: '',
    owns: [],
    reads: [],
    trackingTable: opts.historyTable,
  };
  if (typeof opts.migrations === 'string') {
    const dir = path.resolve(opts.migrations);
    const { parseMigrationFiles } = await import('../core/sources/index.js');
    // paths in messages relative to the folder's parent: `migrations/002_x.sql:3`
    const migrations = await parseMigrationFiles(opts.service, dir, path.dirname(dir));
    return { ...base, dir: path.dirname(dir), migrationsDir: dir, migrations };
  }
  const migrations = opts.migrations
    .map((m) => inlineMigration(opts.service, m))
    .sort((a, b) => compareVersions(a.version, b.version));
  for (let i = 1; i < migrations.length; i++) {
    if (compareVersions(migrations[i - 1].version, migrations[i].version) === 0) {
      throw new UserError(`migrations ${migrations[i - 1].id} and ${migrations[i].id} have the same version`);
    }
  }
  return { ...base, migrations };
}

function inlineMigration(service: string, m: InlineMigration): Migration {
  const match = /^(\d+)_(.+)$/.exec(m.id);
  if (!match)
    throw new UserError(`migration id ${JSON.stringify(m.id)} is not <number>_<name>`, {
      hint: 'e.g. 001_create_orders',
    });
  return {
    service,
    version: match[1],
    name: match[2],
    id: m.id,
    path: `inline:${m.id}`,
    relPath: `${m.id} (inline)`,
    checksum: createHash('sha256')
      .update(m.up)
      .update('\0')
      .update(m.down ?? '')
      .digest('hex'),
    format: 'plain',
    up: splitStatements(m.up),
    down: m.down === undefined ? null : splitStatements(m.down),
    transaction: m.transaction ?? true,
  };
}
