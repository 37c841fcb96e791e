// actions: webhook configuration, and calls to the matching webhooks for every relayed event.
// Owns action_config, action_deliveries and its dlq.
import { jsonValue } from '../shared/kit/db.js';
import { inboxRoute } from '../shared/kit/inbox.js';
import { runService } from '../shared/kit/service.js';
import { actionRoutes } from './config.js';
import { callWebhooks } from './webhooks.js';

runService({
  name: 'actions',
  defaultPort: 8083,
  routes: ({ sql, log }) => [
    ...actionRoutes(sql),
    inboxRoute(
      {
        process: (event) => callWebhooks(sql, log, event),
        deadLetter: async (event, eventId, error) => {
          await sql`
            insert into dlq (event_id, event, error)
            values (${eventId}, ${sql.json(jsonValue(event))}, ${error})`;
        },
      },
      log,
    ),
  ],
});
