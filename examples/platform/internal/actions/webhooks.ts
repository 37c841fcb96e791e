// Calls the webhooks configured for a relayed event. A failed call goes to the dlq and is not
// retried here: the relay's retry is for reaching actions, not for reaching third parties.
import { jsonValue, type Sql } from '../shared/kit/db.js';
import type { PlatformEvent } from '../shared/kit/events.js';
import { postJson } from '../shared/kit/http.js';
import type { EventOutcome } from '../shared/kit/inbox.js';
import type { Logger } from '../shared/kit/log.js';
import { listActions, matches } from './config.js';

const WEBHOOK_TIMEOUT_MS = 3_000;

export async function callWebhooks(sql: Sql, log: Logger, event: PlatformEvent): Promise<EventOutcome> {
  const actions = (await listActions(sql)).filter((a) => a.enabled && matches(a.event_type, event.event_type));
  if (!actions.length) return 'ignored';
  const handled = await sql<{ action_id: string }[]>`
    select action_id from action_deliveries where event_id = ${event.event_id}`;
  const done = new Set(handled.map((row) => row.action_id));
  const pending = actions.filter((a) => !done.has(a.id));
  await Promise.all(pending.map((action) => callOne(sql, log, action, event)));
  return pending.length ? 'applied' : 'unchanged';
}

async function callOne(sql: Sql, log: Logger, action: { id: string; webhook_url: string }, event: PlatformEvent): Promise<void> {
  let error: string | null = null;
  try {
    const status = await postJson(action.webhook_url, { action_id: action.id, event }, WEBHOOK_TIMEOUT_MS);
    if (status < 200 || status >= 300) error = `webhook answered ${status}`;
  } catch (err) {
    error = `webhook unreachable: ${(err as Error).message}`;
  }
  if (error) {
    log.warn('webhook failed', { action_id: action.id, event_id: event.event_id, error });
    await sql`
      insert into dlq (event_id, action_id, event, error)
      values (${event.event_id}, ${action.id}, ${sql.json(jsonValue(event))}, ${error})`;
  }
  await sql`
    insert into action_deliveries (action_id, event_id, outcome)
    values (${action.id}, ${event.event_id}, ${error ? 'dead-lettered' : 'delivered'})
    on conflict do nothing`;
}
