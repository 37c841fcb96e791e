// A reference for bench/migrate.js, not a migrator: what one Node process costs when it does
// nothing but what a migration tool must do at the least under svcdb's guarantee "each
// migration in its own transaction" (SPEC §7.2): for each of the 5 services in parallel, one
// connection, every migration sent pipelined as `begin; <up section>; <history row>; commit;`.
// No config, no discovery, no checks, no lock, no output. svcdb's apply time against this one
// is svcdb's own overhead; this one against the psql floor (one transaction per service) is
// what a transaction per migration and a JavaScript driver cost on this machine.
// Usage: DATABASE_URL=... node bench/lib/bare-client.js <project dir> <service>...
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';

const [projectDir, ...services] = process.argv.slice(2);

await Promise.all(
  services.map(async (service) => {
    const sql = postgres(process.env.DATABASE_URL, { max: 1, onnotice: () => {} });
    const table = `bare_migrations_${service}`;
    await sql.unsafe(`create table ${table} (id text primary key, applied_at timestamptz not null default now())`);
    const dir = path.join(projectDir, 'internal', service, 'migrations');
    const sent = [];
    const files = readdirSync(dir).sort();
    for (const [i, file] of files.entries()) {
      // dbmate format (bench/generate.js): the up section sits between the two markers
      const up = readFileSync(path.join(dir, file), 'utf8').split('-- migrate:up')[1].split('-- migrate:down')[0];
      const id = file.slice(0, -'.sql'.length);
      sent.push(
        sql.unsafe(
          // as svcdb does: only the last commit waits for the WAL flush (it makes all before it durable)
          `begin;\n${i < files.length - 1 ? 'set local synchronous_commit to off;\n' : ''}${up}\ninsert into ${table} (id) values ('${id}');\ncommit;`,
        ),
      );
    }
    await Promise.all(sent);
    await sql.end();
  }),
);
