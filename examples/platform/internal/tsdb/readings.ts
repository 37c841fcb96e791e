// sensor.* events carrying a numeric payload.value become time-series rows. A `sensor.reading`
// without one is a broken reading (→ dlq); other sensor.* events without one are not readings.
import { jsonValue, type Sql } from '../shared/kit/db.js';
import { InvalidEvent, type PlatformEvent } from '../shared/kit/events.js';
import type { EventOutcome } from '../shared/kit/inbox.js';

export interface Reading {
  event_id: string;
  sensor_id: string;
  event_type: string;
  recorded_at: string;
  value: number;
}

export async function storeReading(sql: Sql, event: PlatformEvent): Promise<EventOutcome> {
  if (!event.event_type.startsWith('sensor.')) return 'ignored';
  const value = event.payload.value;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    if (event.event_type !== 'sensor.reading') return 'ignored';
    const got = value === undefined ? 'none' : JSON.stringify(value);
    throw new InvalidEvent(`sensor.reading needs a numeric payload.value, got ${got}`);
  }
  const rows = await sql`
    insert into sensor_readings (event_id, sensor_id, event_type, recorded_at, value, payload)
    values (${event.event_id}, ${event.aggregate_id}, ${event.event_type}, ${event.event_time},
            ${value}, ${sql.json(jsonValue(event.payload))})
    on conflict (event_id) do nothing
    returning event_id`;
  return rows.length ? 'applied' : 'unchanged';
}

export async function latestReadings(sql: Sql, sensorId: string, limit: number): Promise<Reading[]> {
  const rows = await sql<(Omit<Reading, 'recorded_at'> & { recorded_at: Date })[]>`
    select event_id, sensor_id, event_type, recorded_at, value
    from sensor_readings
    where sensor_id = ${sensorId}
    order by recorded_at desc
    limit ${limit}`;
  return rows.map((row) => ({ ...row, recorded_at: row.recorded_at.toISOString() }));
}
