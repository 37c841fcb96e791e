// /api/v1/actions: which webhook to call for which event type.
import type { Sql } from '../shared/kit/db.js';
import { InvalidEvent, isObject, requireString } from '../shared/kit/events.js';
import { HttpError, type Route } from '../shared/kit/http.js';

export interface ActionConfig {
  id: string;
  event_type: string;
  webhook_url: string;
  enabled: boolean;
  created_at: string;
}

type ActionRow = Omit<ActionConfig, 'created_at'> & { created_at: Date };

export function actionRoutes(sql: Sql): Route[] {
  return [
    {
      method: 'POST',
      pattern: '/api/v1/actions',
      handler: async (req) => {
        const { eventType, webhookUrl } = parseAction(await req.json());
        const [row] = await sql<ActionRow[]>`
          insert into action_config (event_type, webhook_url)
          values (${eventType}, ${webhookUrl})
          returning id, event_type, webhook_url, enabled, created_at`;
        return { status: 201, body: toAction(row) };
      },
    },
    {
      method: 'GET',
      pattern: '/api/v1/actions',
      handler: async () => ({ status: 200, body: { items: (await listActions(sql)).map(toAction) } }),
    },
    {
      method: 'DELETE',
      pattern: '/api/v1/actions/:id',
      handler: async (req) => {
        if (!/^[0-9a-f-]{36}$/i.test(req.params.id)) throw new HttpError(404, `no action "${req.params.id}"`);
        const rows = await sql`delete from action_config where id = ${req.params.id} returning id`;
        if (!rows.length) throw new HttpError(404, `no action "${req.params.id}"`);
        return { status: 204 };
      },
    },
  ];
}

export async function listActions(sql: Sql): Promise<ActionRow[]> {
  return sql<ActionRow[]>`
    select id, event_type, webhook_url, enabled, created_at from action_config order by created_at, id`;
}

/** "sensor.reading" matches itself, "sensor.*" and "*". */
export function matches(pattern: string, eventType: string): boolean {
  if (pattern === '*' || pattern === eventType) return true;
  return pattern.endsWith('.*') && eventType.startsWith(pattern.slice(0, -1));
}

function parseAction(body: unknown): { eventType: string; webhookUrl: string } {
  try {
    if (!isObject(body)) throw new InvalidEvent('the body must be a JSON object');
    const eventType = requireString(body, 'event_type');
    const webhookUrl = requireString(body, 'webhook_url');
    const url = URL.canParse(webhookUrl) ? new URL(webhookUrl) : null;
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new InvalidEvent('"webhook_url" must be an http(s) URL');
    }
    return { eventType, webhookUrl };
  } catch (err) {
    if (err instanceof InvalidEvent) throw new HttpError(400, err.message);
    throw err;
  }
}

function toAction(row: ActionRow): ActionConfig {
  return { ...row, created_at: row.created_at.toISOString() };
}
