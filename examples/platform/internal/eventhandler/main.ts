// eventhandler: turns relayed events into projections (sensor.* → sensor_state, user.* →
// user_session). Owns projections and its dlq.
import { jsonValue } from '../shared/kit/db.js';
import { inboxRoute } from '../shared/kit/inbox.js';
import { runService } from '../shared/kit/service.js';
import { project } from './projector.js';

runService({
  name: 'eventhandler',
  defaultPort: 8082,
  routes: ({ sql, log }) => [
    inboxRoute(
      {
        process: (event) => project(sql, event),
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
