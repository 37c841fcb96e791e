// The receiving side of the relay: `POST /internal/events`. An event that cannot be processed goes
// to the service's own dlq and is acknowledged (retrying would fail the same way); only when the
// dlq itself cannot be written does the relay get a 500 and deliver again later.
import { parseRelayedEvent, type PlatformEvent } from './events.js';
import type { Route } from './http.js';
import type { Logger } from './log.js';

export type EventOutcome = 'applied' | 'unchanged' | 'ignored';

export interface Inbox {
  process(event: PlatformEvent): Promise<EventOutcome>;
  /** writes the service's dlq row; `eventId` is null when the body carries no usable id */
  deadLetter(event: unknown, eventId: string | null, error: string): Promise<void>;
}

export function inboxRoute(inbox: Inbox, log: Logger): Route {
  return {
    method: 'POST',
    pattern: '/internal/events',
    handler: async (req) => {
      const body = await req.json();
      try {
        const outcome = await inbox.process(parseRelayedEvent(body));
        return { status: 200, body: { status: outcome } };
      } catch (err) {
        const error = (err as Error).message;
        const eventId = eventIdOf(body);
        log.warn('event dead-lettered', { event_id: eventId, error });
        await inbox.deadLetter(body, eventId, error);
        return { status: 200, body: { status: 'dead-lettered', error } };
      }
    },
  };
}

function eventIdOf(body: unknown): string | null {
  const id = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).event_id : null;
  return typeof id === 'string' ? id : null;
}
