// The reference services' own behaviour, without the runtime: migrated with `svcdb migrate`,
// pointed at their databases with `svcdb env`, started directly like a container would. They run
// from a copy of the example, so a developer's `.svcdb/credentials.json` cannot change their URLs.
// ingestion relays to a consumer the test controls, so delivery, retry and redelivery are visible.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { copyPlatform, ensureExampleBuilt, type PlatformCopy } from './platform-harness.js';
import { FakeConsumer, startService, type RunningService } from './service-harness.js';

let copy: PlatformCopy;
let db: TestDatabase;
let urls: Record<string, string>;
const services: Record<string, RunningService> = {};
let tsdbStandIn: FakeConsumer;
let webhook: FakeConsumer;

beforeAll(async () => {
  ensureExampleBuilt();
  copy = await copyPlatform();
  db = await createTestDatabase('platform');
  const env = { DATABASE_URL: db.url, SVCDB_PROFILE: undefined };
  const migrated = await runCli(['migrate', '--all', '--cwd', copy.dir, '--profile', 'dev'], { env });
  if (migrated.exitCode !== 0) throw new Error(`svcdb migrate failed:\n${migrated.stdout}${migrated.stderr}`);
  const printed = await runCli(['env', 'dev', '--format', 'dotenv', '--cwd', copy.dir], { env });
  if (printed.exitCode !== 0) throw new Error(`svcdb env failed:\n${printed.stderr}`);
  urls = parseDotenv(printed.stdout);

  tsdbStandIn = await FakeConsumer.start();
  webhook = await FakeConsumer.start();
  for (const name of ['eventhandler', 'tsdb', 'actions', 'query']) {
    services[name] = await startService(copy.dir, name, {
      [`${name.toUpperCase()}_DATABASE_URL`]: urls[`${name.toUpperCase()}_DATABASE_URL`],
    });
  }
  services.ingestion = await startService(copy.dir, 'ingestion', {
    INGESTION_DATABASE_URL: urls.INGESTION_DATABASE_URL,
    EVENTHANDLER_URL: services.eventhandler.url,
    ACTIONS_URL: services.actions.url,
    TSDB_URL: tsdbStandIn.url, // the test's consumer, so it can refuse deliveries
  });
}, 60_000);

afterAll(async () => {
  await Promise.all(Object.values(services).map((s) => s.stop()));
  await tsdbStandIn?.close();
  await webhook?.close();
  await db?.drop();
  copy?.remove();
});

function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^(?:export\s+)?([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2].replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}

async function call(service: string, method: string, path: string, body?: unknown, raw?: string) {
  const res = await fetch(`${services[service].url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function until<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const event = (over: Record<string, unknown> = {}) => ({
  event_id: crypto.randomUUID(),
  event_type: 'sensor.reading',
  aggregate_id: `sensor-${crypto.randomUUID()}`,
  payload: { value: 20 },
  event_time: '2026-01-01T10:00:00.000Z',
  ...over,
});

describe('ingestion', () => {
  test('answers 400 with an error naming the problem for malformed JSON, a missing field, a bad time', async () => {
    const cases: Array<[string | object, RegExp]> = [
      ['{"event_type": "sensor.reading",', /malformed JSON/],
      [{ aggregate_id: 'a', payload: {} }, /missing field "event_type"/],
      [{ event_type: 'sensor.reading', payload: {} }, /missing field "aggregate_id"/],
      [{ event_type: 'sensor.reading', aggregate_id: 'a' }, /missing field "payload"/],
      [{ event_type: 'sensor.reading', aggregate_id: 'a', payload: {}, event_time: 'yesterday' }, /event_time/],
      [[1, 2], /JSON object/],
    ];
    for (const [body, error] of cases) {
      const res = await call(
        'ingestion',
        'POST',
        '/api/v1/events',
        undefined,
        typeof body === 'string' ? body : JSON.stringify(body),
      );
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(error);
    }
    const [{ count }] = await db.sql`select count(*)::int as count from ingestion.event_store where aggregate_id = 'a'`;
    expect(count).toBe(0);
  });

  test('accepts an event with 202, stores it, and relays it: the outbox row goes once delivered', async () => {
    const aggregate = `sensor-${crypto.randomUUID()}`;
    const res = await call('ingestion', 'POST', '/api/v1/events', {
      event_type: 'sensor.reading',
      aggregate_id: aggregate,
      payload: { value: 1.5 },
    });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ event_id: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'accepted' });
    const stored =
      await db.sql`select event_type, payload from ingestion.event_store where event_id = ${res.body.event_id}`;
    expect(stored).toEqual([{ event_type: 'sensor.reading', payload: { value: 1.5 } }]);
    await until('the tsdb stand-in to receive it', async () =>
      tsdbStandIn.received.some((e) => e.event_id === res.body.event_id),
    );
    const projection = await until('the projection', async () => {
      const r = await call('query', 'GET', `/api/v1/projections/sensor_state/${aggregate}`);
      return r.status === 200 && r.body;
    });
    expect(projection).toMatchObject({
      type: 'sensor_state',
      aggregate_id: aggregate,
      version: 1,
      last_event_id: res.body.event_id,
    });
    await until('the outbox to empty', async () => {
      const rows = await db.sql`select 1 from ingestion.outbox where event_id = ${res.body.event_id}`;
      return rows.length === 0;
    });
  });

  test('keeps an event in the outbox while a consumer refuses it, and delivers it when the consumer is back', async () => {
    tsdbStandIn.failNext(2);
    const res = await call('ingestion', 'POST', '/api/v1/events', {
      event_type: 'sensor.reading',
      aggregate_id: 's-retry',
      payload: { value: 3 },
    });
    const row = await until('a failed attempt to be recorded', async () => {
      const rows =
        await db.sql`select attempts, last_error from ingestion.outbox where event_id = ${res.body.event_id} and destination = 'tsdb'`;
      return rows[0]?.attempts > 0 && rows[0];
    });
    expect(row.last_error).toMatch(/tsdb answered 503/);
    await until('delivery after the retries', async () =>
      tsdbStandIn.received.some((e) => e.event_id === res.body.event_id),
    );
    await until('the outbox row to go', async () => {
      const rows = await db.sql`select 1 from ingestion.outbox where event_id = ${res.body.event_id}`;
      return rows.length === 0;
    });
  }, 30_000);
});

describe('eventhandler', () => {
  test('a replayed or older event leaves the projection unchanged; a later one updates it', async () => {
    const first = event();
    expect((await call('eventhandler', 'POST', '/internal/events', first)).body).toEqual({ status: 'applied' });
    expect((await call('eventhandler', 'POST', '/internal/events', first)).body).toEqual({ status: 'unchanged' });
    const older = event({
      aggregate_id: first.aggregate_id,
      event_time: '2025-12-31T00:00:00.000Z',
      payload: { value: -1 },
    });
    expect((await call('eventhandler', 'POST', '/internal/events', older)).body).toEqual({ status: 'unchanged' });
    const later = event({
      aggregate_id: first.aggregate_id,
      event_time: '2026-01-01T11:00:00.000Z',
      payload: { value: 30 },
    });
    expect((await call('eventhandler', 'POST', '/internal/events', later)).body).toEqual({ status: 'applied' });
    const read = await call('query', 'GET', `/api/v1/projections/sensor_state/${first.aggregate_id}`);
    expect(read.body).toMatchObject({ version: 2, last_event_id: later.event_id, state: { reading: { value: 30 } } });
  });

  test('user.* events build a user_session that user.logout ends; other types are ignored', async () => {
    const user = `user-${crypto.randomUUID()}`;
    await call('eventhandler', 'POST', '/internal/events', event({ event_type: 'user.login', aggregate_id: user }));
    await call(
      'eventhandler',
      'POST',
      '/internal/events',
      event({ event_type: 'user.logout', aggregate_id: user, event_time: '2026-01-01T12:00:00.000Z' }),
    );
    const session = await call('query', 'GET', `/api/v1/projections/user_session/${user}`);
    expect(session.body.state).toMatchObject({ user_id: user, status: 'ended', last_action: 'logout' });
    expect(
      (await call('eventhandler', 'POST', '/internal/events', event({ event_type: 'order.placed' }))).body,
    ).toEqual({ status: 'ignored' });
  });

  test("an event it cannot read goes to its own dlq, not to tsdb's or actions'", async () => {
    const broken = {
      event_id: crypto.randomUUID(),
      event_type: 'sensor.reading',
      aggregate_id: 'x',
      payload: 'not an object',
      event_time: '2026-01-01T00:00:00Z',
    };
    const res = await call('eventhandler', 'POST', '/internal/events', broken);
    expect(res.body).toMatchObject({ status: 'dead-lettered', error: expect.stringMatching(/payload/) });
    const where = await db.sql`
      select table_schema from information_schema.tables where table_name = 'dlq' order by table_schema`;
    expect(where.map((r) => r.table_schema)).toEqual(['actions', 'eventhandler', 'tsdb']);
    const rows = await db.sql`select error from eventhandler.dlq where event_id = ${broken.event_id}`;
    expect(rows).toHaveLength(1);
    expect(await db.sql`select 1 from tsdb.dlq where event_id = ${broken.event_id}`).toHaveLength(0);
  });
});

describe('query', () => {
  test('lists projections by type with limit and offset, and refuses a bad page with 400', async () => {
    const page = await call('query', 'GET', '/api/v1/projections/sensor_state?limit=1&offset=0');
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ limit: 1, offset: 0, total: expect.any(Number) });
    expect(page.body.items).toHaveLength(1);
    for (const bad of ['limit=0', 'limit=501', 'limit=abc', 'offset=-1']) {
      const res = await call('query', 'GET', `/api/v1/projections/sensor_state?${bad}`);
      expect(res.status, bad).toBe(400);
      expect(res.body.error).toMatch(/limit|offset/);
    }
  });

  test('answers 404 with an error for an aggregate with no projection', async () => {
    const res = await call('query', 'GET', '/api/v1/projections/sensor_state/nobody-here');
    expect(res.status).toBe(404);
    expect(res.body.error).toMatch(/nobody-here/);
  });
});

describe('tsdb', () => {
  test('stores a sensor reading once however often it is delivered; a reading with no value goes to its dlq', async () => {
    const reading = event({ payload: { value: 42.5 } });
    expect((await call('tsdb', 'POST', '/internal/events', reading)).body).toEqual({ status: 'applied' });
    expect((await call('tsdb', 'POST', '/internal/events', reading)).body).toEqual({ status: 'unchanged' });
    const series = await call('tsdb', 'GET', `/api/v1/readings/${reading.aggregate_id}`);
    expect(series.body.items).toEqual([expect.objectContaining({ event_id: reading.event_id, value: 42.5 })]);
    const broken = event({ payload: { unit: 'C' } });
    expect((await call('tsdb', 'POST', '/internal/events', broken)).body).toMatchObject({ status: 'dead-lettered' });
    expect(await db.sql`select 1 from tsdb.dlq where event_id = ${broken.event_id}`).toHaveLength(1);
  });
});

describe('actions', () => {
  test('calls a matching webhook once per event even when the event is delivered twice', async () => {
    const created = await call('actions', 'POST', '/api/v1/actions', {
      event_type: 'alarm.*',
      webhook_url: `${webhook.url}/hook`,
    });
    expect(created.status).toBe(201);
    const listed = await call('actions', 'GET', '/api/v1/actions');
    expect(listed.body.items).toContainEqual(expect.objectContaining({ id: created.body.id, event_type: 'alarm.*' }));
    const alarm = event({ event_type: 'alarm.raised' });
    await call('actions', 'POST', '/internal/events', alarm);
    await call('actions', 'POST', '/internal/events', alarm);
    expect(
      webhook.received.filter((b) => (b.event as { event_id?: string })?.event_id === alarm.event_id),
    ).toHaveLength(1);
    expect((await call('actions', 'POST', '/internal/events', event({ event_type: 'other.thing' }))).body).toEqual({
      status: 'ignored',
    });
  });

  test('a webhook that fails is dead-lettered with the reason', async () => {
    const created = await call('actions', 'POST', '/api/v1/actions', {
      event_type: 'door.opened',
      webhook_url: `${webhook.url}/hook`,
    });
    webhook.failNext(1);
    const opened = event({ event_type: 'door.opened' });
    await call('actions', 'POST', '/internal/events', opened);
    const rows = await db.sql`select action_id, error from actions.dlq where event_id = ${opened.event_id}`;
    expect(rows).toEqual([{ action_id: created.body.id, error: 'webhook answered 503' }]);
  });

  test('refuses an action without an http(s) webhook_url', async () => {
    const res = await call('actions', 'POST', '/api/v1/actions', { event_type: 'x', webhook_url: 'ftp://example.com' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/webhook_url/);
  });
});

describe('every service', () => {
  test('answers /health and exits 0 on SIGTERM', async () => {
    const extra = await startService(copy.dir, 'query', { QUERY_DATABASE_URL: urls.QUERY_DATABASE_URL });
    const health = await fetch(`${extra.url}/health`);
    expect(await health.json()).toEqual({ status: 'ok', service: 'query' });
    expect(await extra.stop()).toEqual({ code: 0, signal: null });
    expect(extra.output()).toMatch(/"msg":"stopping","signal":"SIGTERM"/);
  });

  test('refuses to start without its own database URL and says which variable is missing', async () => {
    const lonely = await startService(copy.dir, 'tsdb', { TSDB_DATABASE_URL: undefined }, { expectExit: true });
    expect(lonely.exit).toEqual({ code: 2, signal: null });
    expect(lonely.output()).toMatch(/TSDB_DATABASE_URL is not set/);
  });
});
