// The event as it travels between services (the relay's `POST /internal/events` body).

export interface PlatformEvent {
  event_id: string;
  event_type: string;
  aggregate_id: string;
  payload: Record<string, unknown>;
  /** ISO 8601 */
  event_time: string;
}

/** Why an event (or a request body) was refused: a message for a 400 or a dlq row. */
export class InvalidEvent extends Error {}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function requireString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (value === undefined || value === null) throw new InvalidEvent(`missing field "${field}"`);
  if (typeof value !== 'string' || value.trim() === '') throw new InvalidEvent(`"${field}" must be a non-empty string`);
  return value;
}

export function requirePayload(body: Record<string, unknown>): Record<string, unknown> {
  if (body.payload === undefined || body.payload === null) throw new InvalidEvent('missing field "payload"');
  if (!isObject(body.payload)) throw new InvalidEvent('"payload" must be a JSON object');
  return body.payload;
}

/** An ISO 8601 time, normalised; `fallback` when absent. */
export function parseEventTime(value: unknown, fallback: () => Date): string {
  if (value === undefined || value === null) return fallback().toISOString();
  const time = typeof value === 'string' ? new Date(value) : new Date(NaN);
  if (Number.isNaN(time.getTime())) throw new InvalidEvent('"event_time" must be an ISO 8601 time');
  return time.toISOString();
}

/** Checks a relayed event's shape (the receiving side trusts nothing). */
export function parseRelayedEvent(body: unknown): PlatformEvent {
  if (!isObject(body)) throw new InvalidEvent('the event must be a JSON object');
  return {
    event_id: requireString(body, 'event_id'),
    event_type: requireString(body, 'event_type'),
    aggregate_id: requireString(body, 'aggregate_id'),
    payload: requirePayload(body),
    event_time: parseEventTime(body.event_time, () => {
      throw new InvalidEvent('missing field "event_time"');
    }),
  };
}
