// Issue 11 item 8: under `isolated`, 50 services spread over 3 PostgreSQL servers, migrated
// with a bounded --concurrency; one server down fails only its own services (exit 2, host:port).
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { runCli } from '../helpers/cli.js';
import { tempProject, type TempProject } from '../helpers/project.js';

const SERVICES = Array.from({ length: 50 }, (_, i) => `svc${String(i + 1).padStart(2, '0')}`);

describe('50 services on 3 servers under an isolated profile', () => {
  let servers: Cluster[] = [];
  let project: TempProject;
  const serverOf = (i: number) => servers[i % 3];
  const env: Record<string, string | undefined> = { DATABASE_URL: undefined, SVCDB_PROFILE: undefined };
  beforeAll(async () => {
    servers = [await startCluster(), await startCluster(), await startCluster()];
    const files: Record<string, string> = {};
    SERVICES.forEach((name, i) => {
      files[`services/${name}/migrations/001_create_items.sql`] =
        `-- +goose Up\nCREATE TABLE items (id int primary key, owner text default '${name}');\n`;
      files[`services/${name}/migrations/002_seed.sql`] = `-- +goose Up\nINSERT INTO items (id) VALUES (1);\n`;
      env[`${name.toUpperCase()}_DATABASE_URL`] = serverOf(i).url(`${name}_db`);
    });
    files['svcdb.config.yaml'] = 'discover: ["services/*/migrations"]\n';
    project = tempProject(files);
  }, 120_000);
  afterAll(() => {
    for (const s of servers) s.destroy();
    project?.cleanup();
  });

  const migrateAll = () =>
    runCli(['--cwd', project.dir, 'migrate', '--all', '--profile', 'prod', '--concurrency', '8', '--wait', '1s'], {
      env,
      timeoutMs: 240_000,
    });

  async function itemsIn(i: number): Promise<number | null> {
    const sql = postgres(serverOf(i).url(`${SERVICES[i]}_db`), { max: 1, onnotice: () => {}, connect_timeout: 2 });
    try {
      return Number((await sql`select count(*)::int as n from items`)[0].n);
    } catch {
      return null;
    } finally {
      await sql.end({ timeout: 0 });
    }
  }

  it('--concurrency 8 applies every service on its own server', async () => {
    const r = await migrateAll();
    expect(r.exitCode, r.stderr).toBe(0);
    for (let i = 0; i < SERVICES.length; i++) {
      expect(r.stderr).toContain(`${SERVICES[i]}: applied 2 (001_create_items … 002_seed)`);
      expect(await itemsIn(i)).toBe(1);
    }
  }, 240_000);

  it("one server down: its services fail with exit 2 naming host:port, the others' new migrations are applied", async () => {
    SERVICES.forEach((name) =>
      project.write(`services/${name}/migrations/003_more.sql`, '-- +goose Up\nINSERT INTO items (id) VALUES (2);\n'),
    );
    servers[1].stop('fast');
    try {
      const r = await migrateAll();
      expect(r.exitCode).toBe(2);
      for (let i = 0; i < SERVICES.length; i++) {
        if (i % 3 === 1) {
          expect(r.stderr).toContain(
            `${SERVICES[i]}: cannot reach PostgreSQL at 127.0.0.1:${servers[1].port}/${SERVICES[i]}_db`,
          );
        } else {
          expect(r.stderr).toContain(`${SERVICES[i]}: applied 1 (003_more … 003_more)`);
          expect(await itemsIn(i)).toBe(2);
        }
      }
    } finally {
      servers[1].start();
    }
    for (let i = 1; i < SERVICES.length; i += 3) expect(await itemsIn(i)).toBe(1);
  }, 240_000);
});
