// Which projection an event updates, and the state it leaves there.
import { applyProjection, type ProjectionType } from '../shared/projections/index.js';
import type { Sql } from '../shared/kit/db.js';
import { InvalidEvent, type PlatformEvent } from '../shared/kit/events.js';
import type { EventOutcome } from '../shared/kit/inbox.js';

export function projectionTypeOf(eventType: string): ProjectionType | null {
  if (eventType.startsWith('sensor.')) return 'sensor_state';
  if (eventType.startsWith('user.')) return 'user_session';
  return null;
}

export async function project(sql: Sql, event: PlatformEvent): Promise<EventOutcome> {
  const type = projectionTypeOf(event.event_type);
  if (!type) return 'ignored';
  const state = type === 'sensor_state' ? sensorState(event) : userSession(event);
  const applied = await applyProjection(sql, {
    type,
    aggregate_id: event.aggregate_id,
    state,
    event_id: event.event_id,
    event_type: event.event_type,
    event_time: event.event_time,
  });
  return applied ? 'applied' : 'unchanged';
}

/** The sensor's latest reading. */
function sensorState(event: PlatformEvent): Record<string, unknown> {
  return { sensor_id: event.aggregate_id, reading: event.payload, observed_at: event.event_time };
}

/** Whether the user's session is open, from the last user.* event. */
function userSession(event: PlatformEvent): Record<string, unknown> {
  const action = event.event_type.slice('user.'.length);
  if (!action) throw new InvalidEvent(`"${event.event_type}" names no user action`);
  const ended = action === 'logout' || action === 'session_ended';
  return { user_id: event.aggregate_id, status: ended ? 'ended' : 'active', last_action: action, last_seen_at: event.event_time, attributes: event.payload };
}
