// Generates the lint benchmark's monorepo: N services × M migrations (goose format) and K source
// files (TypeScript, Go, Python) holding SQL strings, mostly on each service's own tables, with
// a few cross-service reads and writes so the lint has findings to report.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const VERBS = ['orders', 'payments', 'events', 'users', 'rates', 'alerts', 'jobs', 'sessions'];

function serviceNames(n) {
  return Array.from({ length: n }, (_, i) => `svc${String(i + 1).padStart(2, '0')}`);
}

function table(svc, k) {
  return `${svc}_${VERBS[k % VERBS.length]}_${Math.floor(k / VERBS.length)}`;
}

/** Goose migration `n` (1-based) of a service; every 6th creates a table the later ones use. */
function migration(svc, n) {
  const k = Math.floor((n - 1) / 6);
  const t = table(svc, k);
  const prev = k > 0 ? table(svc, k - 1) : null;
  switch ((n - 1) % 6) {
    case 0:
      return `-- +goose Up
-- ${svc} keeps ${t}: one row per tracked item.
CREATE TABLE IF NOT EXISTS ${t} (
    id BIGSERIAL PRIMARY KEY,
    external_id TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'active', 'done')),
    amount NUMERIC(12, 2) NOT NULL DEFAULT 0,
    payload JSONB NOT NULL DEFAULT '{}'::jsonb${prev ? `,\n    parent_id BIGINT REFERENCES ${prev} (id) ON DELETE SET NULL` : ''},
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE IF EXISTS ${t};
`;
    case 1:
      return `-- +goose Up
CREATE INDEX IF NOT EXISTS ${t}_status_idx ON ${t} (status, created_at DESC);
CREATE INDEX IF NOT EXISTS ${t}_payload_idx ON ${t} USING gin (payload);

-- +goose Down
DROP INDEX IF EXISTS ${t}_payload_idx;
DROP INDEX IF EXISTS ${t}_status_idx;
`;
    case 2:
      return `-- +goose Up
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION ${t}_audit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed INT;
BEGIN
    SELECT count(*) INTO changed FROM ${t} WHERE status = NEW.status;
    IF TG_OP = 'UPDATE' AND NEW.status <> OLD.status THEN
        UPDATE ${t} SET payload = payload || jsonb_build_object('changed', changed) WHERE id = NEW.id;
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER ${t}_audit AFTER UPDATE ON ${t} FOR EACH ROW EXECUTE FUNCTION ${t}_audit();

-- +goose Down
DROP TRIGGER IF EXISTS ${t}_audit ON ${t};
DROP FUNCTION IF EXISTS ${t}_audit();
`;
    case 3:
      return `-- +goose Up
ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS note TEXT;
ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS version INT NOT NULL DEFAULT 1;
COMMENT ON COLUMN ${t}.note IS 'free text from operators';

-- +goose Down
ALTER TABLE ${t} DROP COLUMN IF EXISTS version;
ALTER TABLE ${t} DROP COLUMN IF EXISTS note;
`;
    case 4:
      return `-- +goose Up
INSERT INTO ${t} (external_id, status, amount) VALUES
${Array.from({ length: 12 }, (_, i) => `    ('${t}-${i}', '${i % 3 === 0 ? 'active' : 'new'}', ${i * 7}.25)`).join(',\n')}
ON CONFLICT (external_id) DO NOTHING;

-- +goose Down
DELETE FROM ${t} WHERE external_id LIKE '${t}-%';
`;
    default:
      return `-- +goose Up
CREATE OR REPLACE VIEW ${t}_summary AS
    WITH recent AS (SELECT * FROM ${t} WHERE created_at > now() - interval '7 days')
    SELECT status, count(*) AS n, sum(amount) AS total FROM recent GROUP BY status;

-- +goose Down
DROP VIEW IF EXISTS ${t}_summary;
`;
  }
}

function tsFile(svc, i, own, foreign) {
  return `// ${svc} repository ${i}: data access for the HTTP handlers.
import { sql } from '../db.js';
import type { Request } from '../http.js';

export interface Row${i} { id: number; status: string; amount: string }

/** Lists recent rows; the route passes the status filter through. */
export async function list${i}(req: Request): Promise<Row${i}[]> {
  const limit = Math.min(Number(req.query.limit ?? 50), 500);
  return sql\`
    SELECT id, status, amount
    FROM ${own}
    WHERE status = \${req.query.status} AND created_at > now() - interval '1 day'
    ORDER BY created_at DESC
    LIMIT \${limit}\`;
}

export async function settle${i}(id: number, amount: number): Promise<void> {
  await sql\`UPDATE ${own} SET status = 'done', amount = \${amount} WHERE id = \${id}\`;
  await sql\`INSERT INTO ${own} (external_id, status) VALUES (\${'settled-' + id}, 'new') ON CONFLICT DO NOTHING\`;
}

const label = 'Select the rows you want from the table below.';
const pattern = /select\\s+from/i;
${foreign ? `\nexport const peek${i} = () => sql\`SELECT count(*) FROM ${foreign}\`;\n` : ''}
export function describe${i}(): string {
  return \`\${label} (\${pattern.source})\`;
}
`;
}

function goFile(svc, i, own, foreign) {
  return `package ${svc}

import (
	"context"
	"database/sql"
)

// Store${i} reads and writes ${own}.
type Store${i} struct{ db *sql.DB }

const listQuery${i} = \`
	SELECT id, status, amount
	FROM ${own}
	WHERE status = $1
	ORDER BY created_at DESC
	LIMIT $2\`

func (s *Store${i}) List(ctx context.Context, status string, limit int) (*sql.Rows, error) {
	return s.db.QueryContext(ctx, listQuery${i}, status, limit)
}

func (s *Store${i}) Close(ctx context.Context, id int64) error {
	_, err := s.db.ExecContext(ctx, "UPDATE ${own} SET status = 'done' WHERE id = $1", id)
	return err
}
${foreign ? `\nfunc (s *Store${i}) Peek(ctx context.Context) *sql.Row {\n\treturn s.db.QueryRowContext(ctx, \`SELECT count(*) FROM ${foreign}\`)\n}\n` : ''}`;
}

function pyFile(svc, i, own, foreign) {
  return `"""${svc} job ${i}: nightly maintenance of ${own}."""
import logging

log = logging.getLogger(__name__)

ARCHIVE = """
    DELETE FROM ${own}
    WHERE status = 'done' AND created_at < now() - interval '30 days'
"""


def run(conn, batch=500):
    # select rows from the queue; this comment is not SQL
    with conn.cursor() as cur:
        cur.execute("SELECT id, payload FROM ${own} WHERE status = %s LIMIT %s", ("new", batch))
        for row_id, payload in cur.fetchall():
            log.info(f"processing {row_id}")
            cur.execute(f"UPDATE ${own} SET status = 'active' WHERE id = {row_id}")
        cur.execute(ARCHIVE)
${foreign ? `        cur.execute('SELECT max(id) FROM ${foreign}')\n` : ''}`;
}

/** Writes the monorepo under `dir` unless the same shape is already there. */
export function generateMonorepo(dir, { services = 20, migrations = 300, sources = 10000 } = {}) {
  const marker = path.join(dir, '.shape.json');
  const shape = JSON.stringify({ services, migrations, sources, v: 2 });
  if (existsSync(marker) && readFileSync(marker, 'utf8') === shape) return;
  rmSync(dir, { recursive: true, force: true });
  const names = serviceNames(services);
  for (const svc of names) {
    const migDir = path.join(dir, 'internal', svc, 'migrations');
    mkdirSync(migDir, { recursive: true });
    for (let n = 1; n <= migrations; n++)
      writeFileSync(path.join(migDir, `${String(n).padStart(5, '0')}_step_${n}.sql`), migration(svc, n));
  }
  const tablesPer = Math.ceil(migrations / 6);
  for (let i = 0; i < sources; i++) {
    const s = i % services;
    const svc = names[s];
    const own = table(svc, i % tablesPer);
    // One file in 40 reads another service's table: the findings the bench reports.
    const foreign = i % 40 === 7 ? table(names[(s + 1) % services], 0) : null;
    const k = Math.floor(i / services) % 10; // every service gets all three languages
    const kind = k < 4 ? 'ts' : k < 7 ? 'go' : 'py';
    const sub = path.join(dir, 'internal', svc, kind === 'ts' ? 'src' : kind === 'go' ? 'store' : 'jobs');
    mkdirSync(sub, { recursive: true });
    const text =
      kind === 'ts'
        ? tsFile(svc, i, own, foreign)
        : kind === 'go'
          ? goFile(svc, i, own, foreign)
          : pyFile(svc, i, own, foreign);
    writeFileSync(path.join(sub, `file${i}.${kind}`), text);
  }
  writeFileSync(marker, shape);
}
