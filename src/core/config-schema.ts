// The zod schema of the config file (SPEC §3); how its issues read to a user: config-issues.ts.
// zod is imported lazily: only a project with a config file pays for it.
import type { z as Z } from 'zod';

export type Schema = ReturnType<typeof buildSchema>;
let cached: Schema | undefined;

/** What users write (every key optional), typed from the schema itself: defineConfig's type. */
export type UserConfig = Z.input<Schema>;

const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const DURATION = /^\d+(ms|s|m)?$/;

/**
 * The config's one description: validation messages, the README's config reference and
 * svcdb.schema.json (with the quick validator made from it) all come from here; after a change,
 * `npm run gen:config` regenerates them (a test fails until it has run). Each key's `doc` is
 * its line in the reference; `default` is what svcdb uses when the key is left out.
 */
export async function configSchema(): Promise<Schema> {
  if (cached) return cached;
  const { z } = await import('zod');
  cached = buildSchema(z);
  return cached;
}

function buildSchema(z: typeof Z) {
  const doc = (description: string, extra: Record<string, unknown> = {}) => ({ description, ...extra });
  const nonEmpty = z.string().min(1);
  const run = z.strictObject({
    command: nonEmpty.meta(doc('shell command that starts the service (`svcdb up`)')),
    port: z
      .number()
      .int()
      .min(1)
      .max(65535)
      .optional()
      .meta(doc('port it listens on; `up` waits for it and sets PORT')),
    health: z.string().optional().meta(doc('HTTP path polled until it answers 2xx, e.g. `/healthz`')),
    after: z
      .array(nonEmpty)
      .optional()
      .meta(doc('services started (and healthy) before this one', { default: [] })),
    env: z.record(z.string(), z.string()).optional().meta(doc('extra environment variables for the process')),
  });
  const read = z.strictObject({
    service: nonEmpty.meta(doc('the service whose tables are read')),
    tables: z.array(nonEmpty).meta(doc('the tables read')),
    via: z
      .array(nonEmpty)
      .optional()
      .meta(doc('the only folders allowed to make these reads', { default: [] })),
  });
  const service = z.strictObject({
    owns: z
      .array(nonEmpty)
      .optional()
      .meta(doc('tables it owns beyond those its migrations create', { default: [] })),
    trackingTable: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a plain SQL identifier (letters, digits, _)')
      .optional()
      .meta(doc('name of its migration history table (keep an existing one)')),
    run: run.optional().meta(doc('how `svcdb up` runs it')),
    path: nonEmpty
      .optional()
      .meta(doc('its folder, for a service no discover glob finds (default: where the first glob would put it)')),
    databaseOf: nonEmpty.optional().meta(doc("use this other service's database (a service that owns nothing)")),
    reads: z
      .array(read)
      .optional()
      .meta(doc("declared reads of other services' tables (check-ownership)", { default: [] })),
    // the names the repository's migrations already use (`CREATE TABLE "billing_schema".…`)
    database: nonEmpty
      .optional()
      .meta(doc("its database's name under a `database` profile (default: the service's name)")),
    schema: nonEmpty.optional().meta(doc("its schema's name under a `schema` profile (default: the service's name)")),
    // where the service's migrations are and how they are laid out (issue 11)
    migrations: nonEmpty
      .optional()
      .meta(doc('its migrations folder, given directly (e.g. crates/collab/migrations_llm)')),
    format: z
      .enum(['flat', 'flyway', 'folder', 'prisma', 'drizzle', 'atlas', 'versioned-folders'])
      .optional()
      .meta(doc('the layout of its migrations folder (default: told from the folder)')),
    ignore: z
      .array(nonEmpty)
      .optional()
      .meta(doc('globs of files in its migrations folder that are no migrations', { default: [] })),
    migrateAfter: z
      .array(nonEmpty)
      .optional()
      .meta(doc('services whose migrations `migrate --all` applies before its own', { default: [] })),
  });
  const profile = z.strictObject({
    strategy: z
      .enum(['shared', 'schema', 'database', 'isolated'])
      .optional()
      .meta(doc('how services map to databases; required except for the built-in dev, dev-aws, prod')),
    url: nonEmpty
      .optional()
      .meta(
        doc(
          'base URL; `${VAR}` expands only when the profile is used (default: DATABASE_URL, else the embedded server)',
        ),
      ),
    schemaName: nonEmpty
      .optional()
      .meta(
        doc("schema strategy: each service's schema name, `{service}` standing for its name, e.g. `{service}_schema`"),
      ),
    databaseName: nonEmpty
      .optional()
      .meta(doc("database strategy: each service's database name, `{service}` standing for its name")),
  });
  return z.strictObject({
    $schema: z
      .string()
      .optional()
      .meta(doc('for editors: the JSON Schema of this file (svcdb.schema.json); ignored by svcdb')),
    discover: z
      .array(nonEmpty)
      .min(1)
      .optional()
      .meta(
        doc(
          "globs for migrations folders; `{service}` names the service's folder, else the folder above `migrations` is the service",
          { default: ['internal/*/migrations'] },
        ),
      ),
    ignore: z
      .array(nonEmpty)
      .optional()
      .meta(
        doc('globs of files in migrations folders that are no migrations (templates, other dialects)', { default: [] }),
      ),
    envPrefix: z
      .string()
      .regex(/^[A-Za-z0-9_]*$/, 'letters, digits and _ only')
      .optional()
      .meta(doc('prefix of every `<SERVICE>_DATABASE_URL` variable', { default: '' })),
    services: z
      .record(z.string().regex(SERVICE_NAME, 'a service name (letters, digits, _ . -)'), service)
      .optional()
      .meta(doc('per-service settings, by service name')),
    shared: z
      .record(nonEmpty, z.union([nonEmpty, z.array(nonEmpty).min(1)]))
      .optional()
      .meta(
        doc(
          'code outside any service: a folder or file glob, and the service (or list of services) whose code it is; it may touch the tables of any of them',
        ),
      ),
    profiles: z
      .record(z.string().regex(SERVICE_NAME, 'a profile name (letters, digits, _ . -)'), profile)
      .optional()
      .meta(doc('environment profiles, by name, beside the built-in dev, dev-aws, prod')),
    rules: z
      .record(nonEmpty, z.enum(['error', 'warning', 'off']))
      .optional()
      .meta(doc('check-ownership severities, by rule name')),
    queryHelpers: z
      .array(
        z.strictObject({
          call: nonEmpty.meta(
            doc(
              'name of the function or method called; `*` stands for any characters, case and `_` are ignored (`simple_insert*` is also `simpleInsertMany` and `SimpleInsert`); with a dot (`db_pool.simple_insert`) it matches the end of the dotted call',
            ),
          ),
          table: z
            .union([nonEmpty, z.number().int().min(0)])
            .meta(doc('the argument holding the table name: a keyword/property name, or a 0-based position')),
          access: z.enum(['read', 'write']).meta(doc('what the call does with the table')),
        }),
      )
      .optional()
      .meta(doc('project helpers that take a table name as an argument, for check-ownership', { default: [] })),
    checkMigrations: z
      .strictObject({
        rules: z
          .record(nonEmpty, z.enum(['error', 'warning', 'off']))
          .optional()
          .meta(doc("check-migrations severities, by rule name (squawk's names)")),
        postgresVersion: z
          .number()
          .min(9)
          .max(99)
          .optional()
          .meta(
            doc(
              "PostgreSQL major version the migrations run on (default: the server's when reachable, else the newest)",
            ),
          ),
        baseline: z
          .record(nonEmpty, nonEmpty)
          .optional()
          .meta(doc('per service, the last migration already in production: only later files are checked')),
      })
      .optional()
      .meta(doc('the migration-safety lint (`svcdb check-migrations`)')),
    // table-lock safety of the runner (issue 14): ms as a number, or "500ms", "5s", "2m"; 0 off
    lockTimeout: z
      .union([z.number().int().min(0), z.string().regex(DURATION, 'a duration such as 5s or 500ms')])
      .optional()
      .meta(doc('`SET LOCAL lock_timeout` of each migration: ms, or `500ms`, `5s`, `2m`; `0` off', { default: '5s' })),
    statementTimeout: z
      .union([z.number().int().min(0), z.string().regex(DURATION, 'a duration such as 5m or 30s')])
      .optional()
      .meta(doc('`SET LOCAL statement_timeout` of each migration (default: off)')),
    lockRetries: z
      .number()
      .int()
      .min(0)
      .max(100)
      .optional()
      .meta(doc('tries after the first when a migration times out on a lock (55P03)', { default: 5 })),
  });
}
