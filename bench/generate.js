#!/usr/bin/env node
// Generates the benchmark project: 5 services × 200 realistic migrations (tables with
// constraints and foreign keys, indexes, ALTERs, PL/pgSQL functions with $$ bodies, triggers,
// seed inserts, comments) in dbmate format, which svcdb reads as is, under bench/.work/.
// Also writes each service's up sections concatenated, for the psql floor.
// Usage: node bench/generate.js [--services 5] [--migrations 200]
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const workDir = path.join(here, '.work');
export const projectDir = path.join(workDir, 'project');
export const SERVICES = ['ingestion', 'eventhandler', 'tsdb', 'actions', 'billing'];

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

/** One migration's up and down SQL; `n` is 1-based, tables accumulate per service. */
function migration(svc, n, tables) {
  const t = `${svc}_t${tables.length + 1}`;
  const prev = tables.at(-1);
  switch (n % 8) {
    case 1: {
      tables.push(t);
      const fk = prev ? `,\n  parent_id bigint REFERENCES ${prev} (id) ON DELETE CASCADE` : '';
      return {
        name: `create_${t}`,
        up: `-- ${svc} owns ${t}: one row per thing it tracks.
CREATE TABLE ${t} (
  id bigserial PRIMARY KEY,
  name text NOT NULL CHECK (length(name) > 0),
  status text NOT NULL DEFAULT 'new',
  amount numeric(12, 2) NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()${fk},
  UNIQUE (name)
);
COMMENT ON TABLE ${t} IS '${svc}: generated table ${tables.length}';`,
        down: `DROP TABLE ${t};`,
      };
    }
    case 2:
      return {
        name: `index_${prev}_status`,
        up: `CREATE INDEX ${prev}_status_idx ON ${prev} (status, created_at DESC);\nCREATE INDEX ${prev}_name_lower_idx ON ${prev} (lower(name));`,
        down: `DROP INDEX ${prev}_name_lower_idx;\nDROP INDEX ${prev}_status_idx;`,
      };
    case 3:
      return {
        name: `alter_${prev}_add_columns`,
        up: `ALTER TABLE ${prev} ADD COLUMN note text;\nALTER TABLE ${prev} ADD COLUMN version integer NOT NULL DEFAULT 1;\nALTER TABLE ${prev} ALTER COLUMN status SET DEFAULT 'pending';`,
        down: `ALTER TABLE ${prev} DROP COLUMN version;\nALTER TABLE ${prev} DROP COLUMN note;`,
      };
    case 4:
      return {
        name: `function_${prev}_touch`,
        up: `CREATE OR REPLACE FUNCTION ${prev}_touch() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- keep updated_at honest; bump the version on every change
  NEW.updated_at := now();
  IF TG_OP = 'UPDATE' THEN
    NEW.version := OLD.version + 1;
  END IF;
  RETURN NEW;
END;
$$;`,
        down: `DROP FUNCTION ${prev}_touch();`,
      };
    case 5:
      return {
        name: `trigger_${prev}_touch`,
        up: `CREATE TRIGGER ${prev}_touch BEFORE INSERT OR UPDATE ON ${prev}\n  FOR EACH ROW EXECUTE FUNCTION ${prev}_touch();`,
        down: `DROP TRIGGER ${prev}_touch ON ${prev};`,
      };
    case 6: {
      const rows = Array.from(
        { length: 20 },
        (_, i) => `  ('${prev}-seed-${i}', ${i % 3 === 0 ? "'active'" : "'new'"}, ${i * 10}.50)`,
      ).join(',\n');
      return {
        name: `seed_${prev}`,
        up: `-- seed data; the trigger fills updated_at\nINSERT INTO ${prev} (name, status, amount) VALUES\n${rows};\nUPDATE ${prev} SET note = 'seeded; ok' WHERE status = 'active';`,
        down: `DELETE FROM ${prev} WHERE name LIKE '${prev}-seed-%';`,
      };
    }
    case 7:
      return {
        name: `view_${prev}_summary`,
        up: `CREATE VIEW ${prev}_summary AS\n  SELECT status, count(*) AS n, sum(amount) AS total FROM ${prev} GROUP BY status;`,
        down: `DROP VIEW ${prev}_summary;`,
      };
    default:
      return {
        name: `constraint_${prev}_amount`,
        up: `ALTER TABLE ${prev} ADD CONSTRAINT ${prev}_amount_positive CHECK (amount >= 0);\nDO $body$\nBEGIN\n  RAISE NOTICE 'checked %', '${prev}';\nEND\n$body$;`,
        down: `ALTER TABLE ${prev} DROP CONSTRAINT ${prev}_amount_positive;`,
      };
  }
}

export function generate(services = 5, count = 200) {
  rmSync(workDir, { recursive: true, force: true });
  const names = SERVICES.slice(0, services);
  for (const svc of names) {
    const dir = path.join(projectDir, 'internal', svc, 'migrations');
    mkdirSync(dir, { recursive: true });
    const tables = [];
    const ups = [];
    for (let n = 1; n <= count; n++) {
      const m = migration(svc, n, tables);
      const version = String(n).padStart(4, '0');
      writeFileSync(
        path.join(dir, `${version}_${m.name}.sql`),
        `-- migrate:up\n${m.up}\n\n-- migrate:down\n${m.down}\n`,
      );
      ups.push(`-- ${version}_${m.name}\n${m.up}\n`);
    }
    writeFileSync(path.join(workDir, `${svc}.up.sql`), ups.join('\n'));
  }
  return names;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const names = generate(arg('services', 5), arg('migrations', 200));
  console.log(
    `generated ${names.length} services × ${arg('migrations', 200)} migrations in ${path.relative(process.cwd(), projectDir)}`,
  );
}
