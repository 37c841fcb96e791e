// The reference platform end to end: `svcdb up` brings it up, an event goes in at ingestion and
// comes out at query within 2 s, Ctrl-C leaves no process and no open port behind.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { serverUrl } from '../helpers/db.js';
import {
  SERVICES,
  copyPlatform,
  dropLocalProfileLeftovers,
  ensureExampleBuilt,
  eventuallyEmpty,
  interrupt,
  openPorts,
  processesUnder,
  runSmoke,
  startUp,
  waitUntilHealthy,
  type PlatformCopy,
  type UpRun,
} from './platform-harness.js';

let copy: PlatformCopy | undefined;
let run: UpRun | undefined;

beforeAll(() => ensureExampleBuilt());

afterEach(async () => {
  // A failed assertion must not leave a platform running for the rest of the suite.
  if (run && run.child.exitCode === null && run.child.signalCode === null) await interrupt(run, 15_000);
  run = undefined;
  copy?.remove();
  copy = undefined;
});

async function upPostAndInterrupt(
  args: string[],
  env: Record<string, string | undefined>,
  opts: { readyTimeoutMs: number; ctrlC: 'up only' | 'process group' },
) {
  copy = await copyPlatform();
  run = startUp(copy.dir, args, env);
  await waitUntilHealthy(run, copy.ports, opts.readyTimeoutMs);

  const smoke = runSmoke(copy.ports);
  expect(smoke.output).toMatch(/projection readable through query after \d+ ms/);
  expect(smoke.status, smoke.output).toBe(0);

  const embeddedPort = readEmbeddedPort(copy.dir);
  const stopped = await interrupt(run, 30_000, { group: opts.ctrlC === 'process group' });
  expect(stopped.killed, `svcdb up did not stop within 30 s of SIGINT:\n${run.output()}`).toBe(false);
  expect(stopped.code, run.output()).toBe(0);

  const ports = [...SERVICES.map((s) => copy!.ports[s]), ...(embeddedPort ? [embeddedPort] : [])];
  expect(await eventuallyEmpty(() => openPorts(ports), 5_000)).toEqual([]);
  expect(await eventuallyEmpty(() => processesUnder(copy!.dir), 5_000)).toEqual([]);
  return run.output();
}

/** The embedded server's port, recorded by svcdb in `.svcdb/embedded.json`, or null. */
function readEmbeddedPort(dir: string): number | null {
  const file = path.join(dir, '.svcdb/embedded.json');
  if (!fs.existsSync(file)) return null;
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { port: number }).port;
}

describe('svcdb up on examples/platform', () => {
  test('under a database profile on a real server, an event reaches query within 2 s and Ctrl-C leaves nothing running', async () => {
    // Database and role names are cluster-global: a unique role prefix, and the service-named
    // databases dropped before (a killed earlier run) and after.
    const rolePrefix = `svcdb_e2e_${randomBytes(3).toString('hex')}_`;
    await dropLocalProfileLeftovers(serverUrl(), rolePrefix);
    try {
      const output = await upPostAndInterrupt(
        ['--profile', 'local', '--role-prefix', rolePrefix],
        { DATABASE_URL: serverUrl() },
        {
          readyTimeoutMs: 60_000,
          ctrlC: 'up only',
        },
      );
      // each service's JSON log comes through `up`, and the ready table names each one's database
      for (const service of SERVICES) expect(output).toContain(`"service":"${service}","msg":"listening"`);
      expect(output).toMatch(/query\s+http:\/\/127\.0\.0\.1:\d+\s+\S+\/eventhandler\b/);
      expect(output).toMatch(/tsdb\s+http:\/\/127\.0\.0\.1:\d+\s+\S+\/tsdb\b/);
    } finally {
      await dropLocalProfileLeftovers(serverUrl(), rolePrefix);
    }
  }, 120_000);

  test('with no DATABASE_URL it runs on the embedded PostgreSQL, and a terminal Ctrl-C stops that too', async () => {
    const output = await upPostAndInterrupt(
      [],
      { DATABASE_URL: undefined, SVCDB_PROFILE: undefined },
      {
        readyTimeoutMs: 120_000,
        ctrlC: 'process group',
      },
    );
    // dev is the `schema` strategy: each service in its own schema, query in eventhandler's
    expect(output).toMatch(/query\s+http:\S+\s+\S+ \(schema eventhandler\)/);
    expect(output).toMatch(/stopped .* and the embedded database/);
  }, 180_000);
});
