#!/usr/bin/env node
// Smoke test of a running platform (`npm run platform` in another terminal): posts a
// sensor.reading to ingestion and polls query until the projection shows it, for at most 2 s.
// INGESTION_URL and QUERY_URL override the default addresses. Exit 0 when seen, 1 when not.
const ingestion = (process.env.INGESTION_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
const query = (process.env.QUERY_URL ?? 'http://127.0.0.1:8081').replace(/\/+$/, '');
const DEADLINE_MS = 2_000;

const sensorId = `smoke-${process.pid}-${Date.now()}`;
const started = Date.now();
const posted = await fetch(`${ingestion}/api/v1/events`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ event_type: 'sensor.reading', aggregate_id: sensorId, payload: { value: 21.5, unit: 'C' } }),
}).catch((err) => fail(`cannot reach ingestion at ${ingestion}: ${err.cause?.message ?? err.message}`));
const accepted = await posted.json();
if (posted.status !== 202) fail(`ingestion answered ${posted.status}: ${JSON.stringify(accepted)}`);
console.log(`posted sensor.reading for ${sensorId}: event ${accepted.event_id}`);

const url = `${query}/api/v1/projections/sensor_state/${encodeURIComponent(sensorId)}`;
while (Date.now() - started < DEADLINE_MS) {
  const res = await fetch(url).catch(() => null);
  if (res?.status === 200) {
    const projection = await res.json();
    if (projection.last_event_id === accepted.event_id) {
      console.log(`projection readable through query after ${Date.now() - started} ms:`);
      console.log(JSON.stringify(projection, null, 2));
      process.exit(0);
    }
  } else {
    await res?.arrayBuffer();
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
}
fail(`no projection at ${url} after ${DEADLINE_MS} ms`);

function fail(message) {
  console.error(`smoke: ${message}`);
  process.exit(1);
}
