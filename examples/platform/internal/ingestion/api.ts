// POST /api/v1/events: validate, then write event_store and one outbox row per destination in one
// transaction, so an accepted event is never lost and never relayed without being stored.
import { randomUUID } from 'node:crypto';
import { jsonValue, type Sql } from '../shared/kit/db.js';
import {
  InvalidEvent,
  isObject,
  parseEventTime,
  requirePayload,
  requireString,
  type PlatformEvent,
} from '../shared/kit/events.js';
import { HttpError, type Route } from '../shared/kit/http.js';

export function eventsRoute(sql: Sql, destinations: string[], onAccepted: () => void): Route {
  return {
    method: 'POST',
    pattern: '/api/v1/events',
    handler: async (req) => {
      const event = toEvent(await req.json());
      await storeEvent(sql, event, destinations);
      onAccepted();
      return { status: 202, body: { event_id: event.event_id, status: 'accepted' } };
    },
  };
}

function toEvent(body: unknown): PlatformEvent {
  try {
    if (!isObject(body)) throw new InvalidEvent('the body must be a JSON object');
    return {
      event_id: randomUUID(),
      event_type: requireString(body, 'event_type'),
      aggregate_id: requireString(body, 'aggregate_id'),
      payload: requirePayload(body),
      event_time: parseEventTime(body.event_time, () => new Date()),
    };
  } catch (err) {
    if (err instanceof InvalidEvent) throw new HttpError(400, err.message);
    throw err;
  }
}

async function storeEvent(sql: Sql, event: PlatformEvent, destinations: string[]): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`
      insert into event_store (event_id, event_type, aggregate_id, payload, event_time)
      values (${event.event_id}, ${event.event_type}, ${event.aggregate_id},
              ${tx.json(jsonValue(event.payload))}, ${event.event_time})`;
    for (const destination of destinations) {
      await tx`
        insert into outbox (event_id, destination, event)
        values (${event.event_id}, ${destination}, ${tx.json(jsonValue(event))})`;
    }
  });
}
